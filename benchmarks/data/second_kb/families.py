"""Families of similar Voltway articles, assembled from hand-written fact tables.

Each family has a shared frame (the parts every such article has in a real help centre) and,
per member, hand-written facts and advice that make the articles differ in substance: a
roaming destination's zone, quirks and border effects; a TV error's cause and fix; a bill
line's meaning; a phone's menus. `family_articles()` returns dicts for `make_kb.Spec`.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------
# Roaming destinations
# --------------------------------------------------------------------------------------

ZONE_COST = {
    "europe": (
        "{name} is in the Europe Zone. On SIM Only Plus, Max, Unlimited and Data SIMs you use "
        "your UK minutes, texts and data there at no extra cost. On SIM Only Essentials, each day "
        "you make a call, send a text or use data costs £2.25. On Max and Unlimited, up to 30 GB "
        "a month of data can be used in the Europe Zone."
    ),
    "worldwide": (
        "{name} is in the Worldwide Zone. A Worldwide Pass costs £6 a day on every plan and lets "
        "you use your UK minutes, texts and data there. The pass starts the first time you make "
        "a call, send a text or use data, and lasts 24 hours. If you turn the pass off, you pay "
        "£2 a minute, 50p a text and £5 per 100 MB instead."
    ),
    "rest": (
        "{name} is in the Rest of the World zone, where there is no pass: calls made and "
        "received cost £2 a minute, texts you send cost 50p and data costs £5 per 100 MB. A "
        "roaming cap of £50 a month stops chargeable use until you raise it in **My Voltway > "
        "Mobile > Roaming > Roaming cap**. Receiving texts is free."
    ),
}

ZONE_BEFORE = {
    "europe": "Check that roaming is allowed on your line in **My Voltway > Mobile > Roaming**. No pass or add-on is needed.",
    "worldwide": "Check that roaming is allowed on your line and that the Worldwide Pass is switched on in **My Voltway > Mobile > Roaming**; it is on by default.",
    "rest": "Turn off **Data roaming** before you land and switch on Wi-Fi Calling, which lets you call and text UK numbers over hotel Wi-Fi from your UK allowance.",
}

# (id suffix, display name, zone, example questions, before-you-go extra, tips heading, tips)
DESTINATIONS = [
    ("spain", "Spain", "europe", ["using my phone in spain", "tenerife roaming"],
     "The Balearic Islands and the Canary Islands count as Spain, so Tenerife, Lanzarote and Mallorca are all in the Europe Zone.",
     "Good to know in Spain",
     "4G and 5G coverage is good in cities and along the coasts, but valleys in the Pyrenees and parts of inland Andalucía only have 2G, where data is very slow. Near the Rock, your phone may connect to a Gibraltar network; Gibraltar is also in the Europe Zone, so nothing changes. The emergency number is 112."),
    ("france", "France", "europe", ["roaming in france cost", "phone in paris"],
     "Corsica and the French overseas departments, Guadeloupe, Martinique, French Guiana, Réunion and Mayotte, are part of the Europe Zone. French Polynesia and New Caledonia are not: they are Rest of the World.",
     "Good to know in France",
     "On Eurostar and Le Shuttle trains your phone stays connected in the tunnel, using a French network from about halfway. On ferries across the Channel, make sure your phone does not join the ship's own maritime network, which costs £5 a minute. In Monaco, which is also in the Europe Zone, your phone may switch between French and Monaco networks."),
    ("italy", "Italy", "europe", ["italy roaming charges", "will my phone work in rome"],
     "San Marino and Vatican City are included in the Europe Zone as well.",
     "Good to know in Italy",
     "Coverage is strong in cities, but signal drops in the Dolomites and on mountain roads with many tunnels. On overnight ferries to Sardinia and Sicily, phones often join the ship's maritime network once out at sea; put your phone in flight mode and use the ship's Wi-Fi. The emergency number is 112."),
    ("greece", "Greece", "europe", ["phone in crete", "greek islands roaming"],
     "All Greek islands are in the Europe Zone, including Crete, Corfu, Rhodes and the Cyclades.",
     "Watch out near the Turkish coast",
     "On islands close to Turkey, such as Kos, Rhodes, Samos, Lesbos and Symi, your phone can pick up a Turkish network across the water. Turkey is in the Worldwide Zone, so using your phone on a Turkish network starts a £6 Worldwide Pass. To avoid it, set your network selection to manual and choose a Greek network. Island-hopping ferries may also join a maritime network, which is charged at £5 a minute."),
    ("portugal", "Portugal", "europe", ["portugal phone charges", "using data in the algarve"],
     "Madeira and the Azores are part of Portugal for roaming and are in the Europe Zone.",
     "Good to know in Portugal",
     "Coverage is good along the Algarve and around Lisbon and Porto. In the Azores, coverage between villages on the smaller islands can be patchy, and 5G is only available in the main towns. The emergency number is 112."),
    ("germany", "Germany", "europe", ["roaming in germany", "does my sim work in berlin"],
     "No pass or add-on is needed. Germany's borders with Switzerland and Austria are not a problem, because both are in the Europe Zone too.",
     "Good to know in Germany",
     "Mobile coverage on German trains and in rural areas can be poorer than you may expect, with long gaps on some intercity routes. Long-distance ICE trains have free Wi-Fi, and Wi-Fi Calling lets you call UK numbers over it. The emergency number is 112."),
    ("ireland", "the Republic of Ireland", "europe", ["phone in dublin roaming", "do i pay roaming in ireland"],
     "Northern Ireland is part of the UK, so there are no roaming charges there at all. The Republic of Ireland is in the Europe Zone.",
     "Near the border",
     "Close to the border between Northern Ireland and the Republic, your phone can connect to an Irish network even when you are still in Northern Ireland. On most plans this makes no difference, but on SIM Only Essentials it starts the £2.25 day charge. If you live or work near the border, set your network selection to manual and choose Voltway. We refund day charges caused by border roaming if you contact us within 30 days."),
    ("netherlands", "the Netherlands", "europe", ["amsterdam roaming", "netherlands mobile data"],
     "The European part of the Netherlands is in the Europe Zone.",
     "Caribbean islands",
     "Aruba, Bonaire, Curaçao, Sint Maarten, Sint Eustatius and Saba are not covered by the Europe Zone, even though they are part of the Kingdom of the Netherlands. They are Rest of the World, so roaming there is charged per minute and per megabyte. Check the zone at **voltway.example/roaming** before a Caribbean trip."),
    ("switzerland", "Switzerland", "europe", ["is switzerland in europe zone", "swiss roaming"],
     "Switzerland is not in the EU, but Voltway includes it and Liechtenstein in the Europe Zone, so you can use your allowance as in any other Europe Zone country.",
     "Good to know in Switzerland",
     "Long Alpine rail and road tunnels have coverage, but signal can drop on mountain railways and cable cars. Ski resorts usually have good 4G on the slopes. Near Geneva and Basel your phone may switch to a French or German network, which is also in the Europe Zone. The emergency number is 112."),
    ("norway", "Norway", "europe", ["norway roaming", "using phone in norwegian fjords"],
     "Norway, including Svalbard, is in the Europe Zone.",
     "Good to know in Norway",
     "Coverage is good in towns and along main roads, but there are gaps in the mountains and remote fjords. Coastal cruise ships and the Hurtigruten express boats often switch to a maritime network when they are away from the coast; that network is charged at £5 a minute and £5 per MB. Bar ships and planes in **My Voltway > Mobile > Roaming** before you sail."),
    ("iceland", "Iceland", "europe", ["iceland roaming charges", "ring road phone signal"],
     "Iceland is in the Europe Zone, so your allowance works there as it does in the EU.",
     "Good to know in Iceland",
     "There is good 4G around Reykjavík and in towns on the Ring Road, but the Highlands and many gravel roads have no coverage at all. Download offline maps before driving. The emergency number is 112, and registering your trip with the national safety service is recommended if you go off the main roads."),
    ("croatia", "Croatia", "europe", ["croatia phone roaming", "dubrovnik data"],
     "Croatia is in the Europe Zone, including its islands.",
     "Driving along the coast",
     "The coast road between Split and Dubrovnik passes through Neum, a short stretch of Bosnia and Herzegovina. Bosnia and Herzegovina is Rest of the World, so if your phone connects there, data costs £5 per 100 MB. Near Dubrovnik, phones can also pick up networks from Montenegro, which is also Rest of the World. Turn off data roaming for that part of the drive, or set your network selection to manual."),
    ("cyprus", "Cyprus", "europe", ["cyprus roaming", "using my phone in paphos"],
     "The Republic of Cyprus is in the Europe Zone.",
     "Northern Cyprus",
     "Mobile networks in Northern Cyprus are not part of any Voltway roaming zone agreement, so they are charged at Rest of the World rates. If you cross the Green Line, or stay near it in Nicosia, your phone may connect to one of them. Set your network selection to manual and choose a Cypriot network from the south, or turn off data roaming. The British bases at Akrotiri and Dhekelia use Cypriot networks."),
    ("malta", "Malta", "europe", ["malta roaming cost", "phone in gozo"],
     "Malta, Gozo and Comino are all in the Europe Zone.",
     "Good to know in Malta",
     "Coverage is good across the islands, including on the Gozo ferry, which stays connected to land networks. Dive boats and day cruises further out may connect to maritime networks. Malta uses the same three-pin plugs as the UK, so your phone charger works without an adapter. The emergency number is 112."),
    ("channel-islands", "Jersey, Guernsey and the Isle of Man", "europe", ["roaming in jersey", "is guernsey uk for my phone"],
     "Although they are close to the UK, Jersey, Guernsey, Alderney, Sark and the Isle of Man have their own mobile networks and are not part of the UK for roaming. They are in the Europe Zone.",
     "What this means for you",
     "On SIM Only Plus, Max, Unlimited and Data SIMs, nothing changes and your allowance works as normal. On SIM Only Essentials, each day you use your phone there costs £2.25. Calls from the islands to UK numbers use your UK allowance. Landline numbers on the islands start with 01534, 01481 and 01624 and count as UK numbers when you call them from the UK."),
    ("usa", "the USA", "worldwide", ["using my phone in america", "us roaming cost", "florida holiday data"],
     "All 50 states are included, along with Puerto Rico and the US Virgin Islands.",
     "Your phone in the USA",
     "US networks have switched off 2G and 3G, so your phone must support 4G Calling (VoLTE) to make calls there. Most phones from 2018 onwards do; older phones may have data but no calls. To call US numbers, dial them as locals do; calls to the US from the US come out of your allowance with a Worldwide Pass. The emergency number is 911."),
    ("canada", "Canada", "worldwide", ["roaming in canada", "will my sim work in toronto"],
     "Canada is in the Worldwide Zone, like the USA. Crossing between them on one day does not start a second pass within the same 24 hours.",
     "Good to know in Canada",
     "Coverage is good in cities and along the main highways, but large parts of the north and the national parks have no signal. BC Ferries and other coastal ferries usually stay on land networks. The emergency number is 911. In Quebec, automated network messages may be in French."),
    ("mexico", "Mexico", "worldwide", ["mexico phone charges", "cancun roaming"],
     "Mexico is in the Worldwide Zone, so a £6 Worldwide Pass covers your usage there.",
     "Good to know in Mexico",
     "Coverage is good in Cancún, the Riviera Maya and the big cities, but weak on remote beaches, in cenotes and in the mountains. Some all-inclusive resorts have poor indoor signal, so use Wi-Fi Calling in your room. Cruise stops in Cozumel connect to land networks once the ship is in port. The emergency number is 911."),
    ("australia", "Australia", "worldwide", ["using phone in australia", "sydney roaming"],
     "Australia is in the Worldwide Zone.",
     "Time zones and the 24-hour pass",
     "A Worldwide Pass lasts 24 hours from when it starts, not a calendar day, so jet lag does not matter. Coverage is good in towns and cities, but the outback and many national parks have no signal; a 5G or 4G phone will not work there. The emergency number is 000, and 112 also works from mobiles."),
    ("new-zealand", "New Zealand", "worldwide", ["new zealand roaming", "phone in auckland"],
     "New Zealand is in the Worldwide Zone.",
     "Good to know in New Zealand",
     "There is good coverage in towns, but many scenic roads, such as those through Arthur's Pass and Fiordland, have long stretches without signal. Download offline maps before you drive. The emergency number is 111. The Cook Islands and other Pacific islands are Rest of the World, not part of New Zealand for roaming."),
    ("japan", "Japan", "worldwide", ["japan roaming", "phone in tokyo"],
     "Japan is in the Worldwide Zone.",
     "Good to know in Japan",
     "Coverage is excellent, including on the Shinkansen and in most underground stations. Some older phones bought in the UK do not support all the frequencies used in Japan; if you have signal but no data, restart the phone and choose a network manually. The emergency numbers are 110 for police and 119 for fire and ambulance."),
    ("turkey", "Turkey", "worldwide", ["roaming in turkey", "is turkey in the europe zone"],
     "Turkey is not in the Europe Zone. It is in the Worldwide Zone, so you need a Worldwide Pass at £6 a day.",
     "Good to know in Turkey",
     "Coverage is good in Istanbul and the resort areas on the Aegean and Mediterranean coasts. Visitors' phones work for 120 days; after that, Turkish rules require phones to be registered, so this matters only for long stays. Boat trips along the coast usually stay on land networks. The emergency number is 112."),
    ("south-africa", "South Africa", "worldwide", ["south africa roaming", "cape town phone"],
     "South Africa is in the Worldwide Zone.",
     "Power cuts and signal",
     "Scheduled power cuts, known as load shedding, can switch off some masts when their backup batteries run down, so signal can disappear for an hour or two in some areas. Coverage is good in cities and along the Garden Route but patchy in game reserves. The emergency number from a mobile is 112."),
    ("uae", "the United Arab Emirates", "rest", ["dubai roaming charges", "using data in abu dhabi"],
     "The UAE, including Dubai and Abu Dhabi, is in the Rest of the World zone.",
     "Calls over the internet",
     "Internet calls are restricted in the UAE, so Wi-Fi Calling and many calling apps may not work there, even on hotel Wi-Fi. Texts and data still work over Wi-Fi. Because calls are charged at £2 a minute, including calls you receive, keep calls short or let them go to voicemail. If you would rather callers hear a message than leave voicemail you would pay to collect, switch voicemail off with **##61#** before you go."),
    ("egypt", "Egypt", "rest", ["egypt roaming", "sharm el sheikh phone charges"],
     "Egypt is in the Rest of the World zone.",
     "Good to know in Egypt",
     "Red Sea resorts such as Sharm el-Sheikh and Hurghada have good coverage, but boat trips and dive boats can pick up maritime networks, charged at £5 a minute and £5 per MB. Leave your phone in flight mode on boats. Wi-Fi Calling works on most hotel Wi-Fi in Egypt."),
    ("thailand", "Thailand", "rest", ["thailand roaming charges", "phone in bangkok"],
     "Thailand is in the Rest of the World zone.",
     "Long trips",
     "For a long trip, data at £5 per 100 MB adds up fast: an hour of video uses about 1 GB, which would cost £50. Your phone can take a local SIM or eSIM if it is unlocked; keep your Voltway SIM in a second slot, or just use Wi-Fi Calling, to keep receiving texts and calls to your UK number. Island ferries mostly stay on land networks."),
    ("india", "India", "rest", ["india roaming", "calling family in india from uk abroad"],
     "India is in the Rest of the World zone.",
     "Good to know in India",
     "Coverage is good in cities but varies widely in rural areas and the mountains. Texts from Indian banks and services may not reach non-Indian numbers. If you often call India from the UK rather than travelling there, the International Calls add-on gives 400 minutes for £5 a month; it does not cover calls made while you are in India."),
    ("morocco", "Morocco", "rest", ["morocco roaming", "phone in marrakech"],
     "Morocco is in the Rest of the World zone.",
     "Near Spain",
     "On the north coast, around Tangier, and near the Spanish cities of Ceuta and Melilla, your phone may switch between Moroccan and Spanish networks. Spanish networks are in the Europe Zone; Moroccan networks are charged at Rest of the World rates. Ceuta and Melilla themselves are Spain. Riads and hotels in Marrakech usually have Wi-Fi, so use Wi-Fi Calling there."),
]


def _roaming() -> list[dict]:
    items = []
    for n, (slug, name, zone, examples, before, tip_heading, tips) in enumerate(DESTINATIONS):
        display = name[0].upper() + name[1:]
        title = f"Using your Voltway mobile in {name}"
        cost = ZONE_COST[zone].format(name=display)
        intro = f"Here is what you pay and what to know when you take your Voltway phone to {name}."
        items.append(dict(
            id=f"roaming-{slug}",
            title=title,
            category="roaming",
            examples=examples if n % 3 != 2 else [],
            intro=intro,
            sections=[
                ("What it costs", cost),
                ("Before you go", f"{before} {ZONE_BEFORE[zone]}"),
                (tip_heading, tips),
            ],
        ))
    return items


# --------------------------------------------------------------------------------------
# TV error codes
# --------------------------------------------------------------------------------------

# (code, title, examples, meaning, fix steps, further)
TV_ERRORS = [
    ("TV-101", "TV box has no internet connection", ["tv box says no network"],
     "The TV box cannot connect to your home network at all, by Wi-Fi or by cable. Live TV, recordings from the cloud and apps stop; recordings on a TV Box 2 can still be watched.",
     ["Check your Hub 5 light ring is solid blue. If not, fix the broadband first.",
      "If the box uses a cable, check it is plugged into a yellow port on the hub and into the box.",
      "If the box uses Wi-Fi, go to **Settings > Network** and choose your network again.",
      "Unplug the box for 10 seconds and plug it back in."],
     "If other devices are online but the box is not, try a different Ethernet cable or move the box closer to the hub."),
    ("TV-102", "Wi-Fi password rejected by the TV box", ["tv stick wont take wifi password"],
     "The TV box found your Wi-Fi network, but the password was not accepted. This often happens after the Wi-Fi password is changed or the hub is reset.",
     ["Go to **Settings > Network > Wi-Fi** and choose your network.",
      "Type the password carefully: it is case sensitive. The default Hub 5 password uses capital letters and numbers only.",
      "If you recently reset the hub, use the password on the card on the back of the hub."],
     "If the network name ends in -6, choose the one without a suffix or ending in -5: the TV box cannot use 6 GHz."),
    ("TV-103", "TV box cannot reach the Voltway TV service", [],
     "The box is online but cannot connect to Voltway's TV servers. This is usually caused by custom DNS settings, a VPN on the router, or a temporary problem on our side.",
     ["Check **voltway.example/status** for TV problems.",
      "If you have set custom DNS servers on your hub or router, set them back to automatic.",
      "If you use your own router with a VPN, exclude the TV box from the VPN.",
      "Restart the box."],
     "The TV box only works on Voltway broadband. It shows TV-103 if it is connected to another provider's broadband, for example at a friend's house."),
    ("TV-110", "TV box not activated", ["new tv box says not activated"],
     "The box has not been linked to your account yet. This is normal for a short time on the day your TV service starts.",
     ["Wait until the TV go-live time in your order confirmation, usually midday.",
      "Make sure the box is connected to the Voltway broadband at the address of your TV service.",
      "Restart the box. Activation happens automatically when it starts."],
     "If the error is still there two hours after your go-live time, report a fault in **My Voltway > Help**."),
    ("TV-111", "TV box registered to another account", ["bought a second hand voltway box"],
     "The box is linked to a different Voltway account. This happens with boxes bought second-hand, or boxes that should have been returned by a previous customer.",
     ["Voltway TV boxes are on loan and cannot be used on another account.",
      "If you are moving a box between two of your own accounts, call us and we transfer it.",
      "If you bought the box, it will not work; contact the seller for a refund."],
     "Only use boxes supplied to you by Voltway. If you have a box from a previous occupant, return it with a free returns bag from **My Voltway > Orders > Return equipment**."),
    ("TV-120", "Channel not in your packs", ["sports channel says subscribe"],
     "You have selected a channel that is not included in your TV packs, so it cannot be played.",
     ["Check which pack the channel belongs to in the guide: press **Info** on the channel.",
      "Add the pack in **My Voltway > TV > Packs**. It starts within 10 minutes.",
      "If you have just added the pack, restart the box to refresh your channels."],
     "If you are sure the channel is in your packs, go to **Settings > Channels > Refresh channel list**."),
    ("TV-121", "Pack still being activated", [],
     "You have ordered a pack, but it has not reached your box yet. Packs usually start within 10 minutes of ordering.",
     ["Wait 10 minutes and try the channel again.",
      "Restart the box to make it check your packs.",
      "Check the pack appears as **Active** in **My Voltway > TV > Packs**."],
     "If the pack shows as **Pending** for more than two hours, your order may need a payment check. We email you if this happens."),
    ("TV-130", "Programme only available at home", ["app says only available on home broadband"],
     "Some channels and programmes can only be watched on your home broadband because of broadcasting rights. In the guide, these show a house symbol.",
     ["Connect your phone or tablet to your home Wi-Fi to watch it.",
      "Use catch-up or record the programme to watch later, where allowed.",
      "Check whether the broadcaster's own app offers the programme away from home."],
     "This is a rights restriction, not a fault. It applies to a small number of channels, mostly on the World Pass."),
    ("TV-131", "Voltway TV app not available in this country", ["cant watch voltway tv on holiday"],
     "The Voltway TV app only works in the UK and, for up to 30 days at a time, in Europe Zone countries. You see TV-131 elsewhere, or if a VPN makes it look as if you are outside the UK.",
     ["Turn off any VPN on your device and try again.",
      "If you are in the Europe Zone, open the app in the UK first after 30 days abroad to reset the period.",
      "Download programmes before you travel: downloads play anywhere for up to 30 days."],
     "World Pass channels, and some Sports Max events, are not available abroad at all."),
    ("TV-140", "TV PIN locked", ["entered wrong pin too many times tv"],
     "The TV PIN was entered wrongly five times in a row, so PIN entry is locked for 15 minutes.",
     ["Wait 15 minutes and try again.",
      "If you have forgotten the PIN, reset it in **My Voltway > TV > TV PIN > Reset PIN**. It goes back to 1234.",
      "Restart the box after resetting the PIN."],
     "If someone in your home is guessing the PIN, change it to one that is harder to guess once you are back in."),
    ("TV-150", "Recording failed: storage full", [],
     "A scheduled recording could not start because the TV Box 2's storage is full.",
     ["Go to **Recordings** and delete programmes you have watched.",
      "Turn on **Auto delete** in **Settings > Recordings** so the box clears old watched recordings when it runs out of space.",
      "Limit series to the latest five episodes."],
     "Recordings marked **Keep** are never auto-deleted, so check how many of those you have."),
    ("TV-151", "Recording failed: too many recordings at once", ["recording clash tv box"],
     "A recording could not start because the box was already recording the maximum number of programmes.",
     ["The TV Box 2 can record four programmes at once, and the TV Stick two in the cloud.",
      "Check **Recordings > Scheduled** for clashes and cancel one.",
      "Choose a later showing of the programme: press **Options** on it in the guide and select **Other showings**."],
     "Series recordings choose a later showing automatically when they clash, if one is available within 7 days."),
    ("TV-160", "Box Office purchase failed", ["cant rent film error"],
     "The rental could not be completed. Common causes are the spending cap on your account, an overdue bill, or purchases being blocked.",
     ["Check your account is not restricted for an overdue bill in **My Voltway > Billing**.",
      "Check **PIN for purchases** and that the correct TV PIN was entered.",
      "The account holder may have blocked TV purchases in **My Voltway > TV > Purchases**."],
     "You are not charged for a rental that failed with TV-160."),
    ("TV-170", "HDMI protection error (HDCP)", ["hdcp error on tv"],
     "The TV or another device between the box and the TV did not pass the HDMI copy-protection check. The picture is blocked for protected content such as Sports Max and Cinema.",
     ["Connect the box directly to the TV, without a switch, splitter or older AV receiver in between.",
      "Use a 4K, HDR or HDCP 2.2 labelled HDMI port for 4K content.",
      "Switch the TV and the box off at the plug for 30 seconds, then on again, TV first."],
     "If the error continues, set **Settings > Picture > Resolution** to 1080p. Some older TVs only support HDCP for HD."),
    ("TV-171", "Resolution not supported by your TV", [],
     "The box is sending a picture the TV cannot show, usually after the resolution was set to 4K on an HD TV, or a different TV was connected.",
     ["Wait 15 seconds: the box returns to the previous resolution if no button is pressed.",
      "Go to **Settings > Picture > Resolution** and choose **Auto**.",
      "If the screen stays black, hold **Back** and **Down** on the remote for 5 seconds to reset the picture settings."],
     "If you use a 4K TV, make sure the box is in a 4K HDMI port."),
    ("TV-200", "Programme failed to start", ["channel wont play error"],
     "The box reached our TV service but the programme did not start. It is usually a temporary problem with that channel or programme.",
     ["Try another channel. If others work, wait a few minutes and try again.",
      "Check **voltway.example/status** for problems with that channel.",
      "Restart the box if every channel shows TV-200."],
     "Note the channel and time and report it if one channel keeps failing for more than an hour."),
    ("TV-203", "Connection too slow for TV", ["tv error says connection slow"],
     "The connection between the box and the hub is too slow for the programme you chose. HD needs 15 Mbps and 4K needs 30 Mbps.",
     ["Run **Settings > Network > Test connection** on the box.",
      "Connect the box to the hub with an Ethernet cable, or add a Pod near the TV.",
      "Pause large downloads and game updates on other devices.",
      "Choose **Data saver** in **Settings > Picture > Streaming quality**."],
     "If the hub itself is slow, follow the steps in \"Broadband is slower than expected\"."),
    ("TV-210", "Stream limit reached", [],
     "Three programmes are already being watched at the same time across your TV boxes and the Voltway TV app, which is the limit on your account.",
     ["Stop watching on one of the other screens.",
      "See which devices are streaming in the app under **Settings > Now watching**.",
      "Recordings on the TV Box 2 do not count towards the limit, so watching a recording always works."],
     "Sports Max allows two streams at once on the app, within the overall limit of three."),
    ("TV-220", "App device limit reached", ["tv app wont let me add my ipad"],
     "Five devices are already registered to the Voltway TV app on your account, so a new one cannot be added.",
     ["Go to **My Voltway > TV > Devices**.",
      "Select **Remove** next to a device you no longer use.",
      "Sign in on the new device again."],
     "You can remove up to four devices a month. TV boxes do not count as app devices. If you have reached the monthly limit, the next removal is possible on the first day of the next month."),
    ("TV-300", "Software update failed", ["tv box update error"],
     "The box could not install a software update. It keeps working on the old software, but some features may not.",
     ["Check the box is online: **Settings > Network > Test connection**.",
      "Unplug the box for 10 seconds and plug it in again; the update is tried again automatically.",
      "Leave the box in standby overnight so it can update between 2am and 5am."],
     "If TV-300 appears three times in a row, report a fault. We can push the update again or replace the box."),
    ("TV-301", "TV box storage error", ["tv box storage error recordings"],
     "The TV Box 2 has found a problem with its internal storage. Recordings may fail or not play.",
     ["Restart the box by unplugging it for 10 seconds.",
      "Go to **Settings > System > Check storage**. The check takes about 20 minutes.",
      "If the check finds errors, a factory reset may fix it, but it deletes all recordings."],
     "If the error comes back after a reset, the storage is failing. Report a fault; the replacement box is free, but recordings cannot be transferred."),
    ("TV-310", "Remote pairing failed", [],
     "The box could not pair with the voice remote over Bluetooth.",
     ["Put two new AA batteries in the remote.",
      "Unplug the box, plug it back in and, while it starts, hold **Home** and **Back** on the remote for 5 seconds.",
      "Move other Bluetooth devices, such as headphones, away from the box while pairing."],
     "If pairing fails with new batteries, the remote may be faulty. We replace it free."),
    ("TV-400", "TV service suspended", ["tv says service suspended"],
     "Your TV packs are paused because a bill is overdue. TV Essentials channels still work, but Sports Max, Cinema and other packs and Box Office do not.",
     ["Pay the overdue amount in **My Voltway > Billing > Pay now**.",
      "Packs return within two hours of the payment.",
      "Restart the box if they do not appear after two hours."],
     "If you cannot pay in full, set up a Help to Pay plan; your packs come back once the plan is active."),
    ("TV-500", "Voltway TV temporarily unavailable", ["all channels error tv 500"],
     "There is a problem with the Voltway TV service. It is on our side and affects many customers.",
     ["Check **voltway.example/status** for updates and the expected fix time.",
      "Recordings on the TV Box 2 and apps such as Netflix may still work.",
      "You do not need to report it or restart your box."],
     "Once the service is back, the box reconnects by itself. If TV-500 is still shown an hour after the status page says it is fixed, restart the box."),
]


def _tv_errors() -> list[dict]:
    items = []
    for n, (code, short, examples, meaning, steps, further) in enumerate(TV_ERRORS):
        fix = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
        items.append(dict(
            id=f"error-{code.lower()}",
            title=f"TV error {code}: {short}",
            category="tv",
            examples=([f"error {code.lower()}"] + examples) if examples and n % 2 == 0 else [],
            intro=(f"The error code {code} appears on your TV screen, or in the Voltway TV app, with a short message. "
                   "Make a note of the code: our advisers can use it to find the cause quickly if the steps below do not help."),
            sections=[
                (f"What {code} means", meaning),
                ("How to fix it", fix),
                ("If it keeps happening", further),
            ],
        ))
    return items


# --------------------------------------------------------------------------------------
# Line test results (Voltway Home app, Help > Test my line)
# --------------------------------------------------------------------------------------

# (slug, result text, examples, meaning, what to do)
LINE_TESTS = [
    ("no-fault", "No fault found", ["line test says no fault but still no internet", "test my line came back fine"],
     "The test reached your hub and checked the line from our network to your home. Both are working normally, so the problem is most likely with Wi-Fi or a particular device.",
     "Check that the device is connected to your own Wi-Fi, restart it, and run **Hub > Speed test** to compare the hub's speed with the device's. If several devices are affected, restart the hub and test again. If the problem is intermittent, the test may have run while the line was working; run it again when the problem happens."),
    ("home-wiring", "Fault in your home wiring", ["line test says problem inside my home"],
     "The test found a fault between the point where the line enters your home and the hub. On Fibre 80 this is usually an extension socket, a faulty cable or a device such as an old alarm connected to the line. On full fibre, it is the cable between the fibre box and the hub.",
     "On Fibre 80, unplug everything from your phone sockets except the hub and plug the hub into the main socket or the test socket behind its faceplate. On full fibre, replace the Ethernet cable between the fibre box and the hub. Run the test again. If we send an engineer and the fault is in wiring we did not install, the visit costs £75."),
    ("network-fault", "Fault on our network", [],
     "The test found a fault outside your home, in our network or in the cable to your street. You do not need to do anything in your home.",
     "The app offers you a repair straight away. Most network faults are fixed without anyone visiting your home; if an engineer needs access, you can choose an appointment. Track the repair in **My Voltway > Help > My faults**. If it is not fixed within two working days, automatic compensation of £8 a day applies."),
    ("hub-not-connected", "Hub not connected to the line", ["line test says hub not connected"],
     "The test can see your line, but the hub is not connected to it, or the connection is too weak to be detected.",
     "On full fibre, check the grey cable runs from the hub's red WAN port to LAN 1 on the fibre box. On Fibre 80, check the cable runs from the hub's grey DSL port to the main phone socket. Push each end in until it clicks and run the test again."),
    ("noisy-line", "Noise on the line", [],
     "This result only appears on Fibre 80. Electrical interference or a poor connection is causing errors on your copper phone line, which makes broadband slow or drop out.",
     "Plug the hub into the test socket behind the main socket's faceplate. Move the hub and its cable away from power adapters, halogen lamps and dimmer switches. If you have Home Phone on the same line and hear crackling, report it: noise heard on calls usually means a fault on the line that we fix for free."),
    ("weak-fibre", "Fibre signal weak", ["line test fibre signal low"],
     "This result only appears on full fibre. The light reaching your fibre box is weaker than it should be, usually because of a damaged or tightly bent fibre cable.",
     "Check that the thin fibre cable into the fibre box is not bent sharply, squashed by furniture or pulled tight. Do not unplug it. Straighten any sharp bend gently and run the test again. If the result is still weak, book the repair the app offers; an engineer needs to test the fibre."),
    ("hub-not-responding", "Hub not responding", [],
     "The test could not talk to your hub. The hub may be off, starting up, or faulty.",
     "Check the hub has power and that its light ring is on. If it is pulsing blue, wait 5 minutes and test again. If there are no lights or the light is flashing red, follow the guide for that light. If you use your own router instead of the Hub 5, the test cannot check it; connect the Hub 5 to run the test."),
    ("low-sync", "Line speed lower than expected", ["line test says speed lower than expected"],
     "Your hub is connected, but the speed the line can carry is lower than it should be for your plan and address. On Fibre 80 this is often caused by wiring; on full fibre it may be the hub or the fibre.",
     "Restart the hub and run the test again. On Fibre 80, connect the hub to the test socket behind the faceplate. If the speed is still low, select **Report slow speed**. If your speed stays below your minimum guaranteed speed for 30 days after you report it, you can leave without early termination charges."),
    ("account-issue", "Account problem found", ["line test says account problem", "test says problem with my account"],
     "The line and hub are working, but something on your account is stopping the hub getting online, for example an overdue bill, a recent plan change still being set up or a hub that is not linked to your account.",
     "The app shows the reason and what to do. If a bill is overdue, pay it in **My Voltway > Billing > Pay now** and your broadband returns within two hours. If you recently changed plan or replaced the hub, restart the hub and wait an hour. Otherwise, contact us through chat in the My Voltway app."),
    ("test-failed", "Test could not run", [],
     "The line test did not complete. This can happen when your phone is connected to the hub's Wi-Fi and the hub restarts during the test, or when our test systems are busy.",
     "Switch your phone to mobile data so the app does not lose its connection, wait five minutes and run the test again. If it still cannot run, check **voltway.example/status** for problems in your area, and report the fault without a test; an adviser runs the test for you."),
]


def _line_tests() -> list[dict]:
    items = []
    for n, (slug, result, examples, meaning, todo) in enumerate(LINE_TESTS):
        items.append(dict(
            id=f"line-test-{slug}",
            title=f"Line test result: {result}",
            category="connection",
            examples=examples if n % 2 == 0 else [],
            intro=(f"You see \"{result}\" after running **Help > Test my line** in the Voltway Home app "
                   "or in **My Voltway > Help > Report a fault**. The test checks your hub, the connection "
                   "to your line and our network, and takes about two minutes."),
            sections=[("What this result means", meaning), ("What to do next", todo)],
        ))
    return items


# --------------------------------------------------------------------------------------
# Bill lines explained
# --------------------------------------------------------------------------------------

# (slug, line name on the bill, examples, what it is, why you see it, how to stop or reduce)
BILL_LINES = [
    ("premium-calls", "Calls to special numbers", ["why am I charged for calling an 0870 number", "charge for 118 call"],
     "Calls from your Voltway mobile or Home Phone to numbers starting 084, 087, 09 and 118 are not part of any allowance. Each call is listed with the number, the date and the cost. The price is our access charge of 12p a minute plus the service charge set by the company you called, which they must tell you when you call.",
     "Common examples are customer service lines of banks and utilities on 0844 and 0870 numbers, competition and voting lines on 09 numbers, and directory enquiries on 118.",
     "Look for a 01, 02 or 03 alternative number on the company's website; calls to those are included in your allowance. To block 09 and 118 numbers, go to **My Voltway > Mobile > Bars and controls > Premium numbers**."),
    ("international", "International calls", ["international calls charge on bill"],
     "Calls made from the UK to numbers in other countries, when you do not have the International Calls add-on or have used its minutes. Each call shows the country, the duration and the cost. Rates start at 15p a minute to Europe and the USA.",
     "Calls to numbers starting with +, 00 or a foreign country code count as international, including calls to mobiles on foreign networks used by people living in the UK.",
     "Add International Calls for £5 a month, which gives 400 minutes to 55 countries, in **My Voltway > Mobile > Add-ons**. SIM Only Max and Unlimited include 300 minutes to landlines in 40 countries. Apps that call over the internet only use data."),
    ("roaming-usage", "Roaming usage", ["roaming usage on bill what is it"],
     "Charges for using your phone abroad outside your plan's included roaming. The line groups charges by country and shows Europe daily charges, Worldwide Passes, and pay-as-you-go calls, texts and data in Rest of the World countries and on ships and planes.",
     "Roaming charges appear on the bill after the one covering the dates you travelled, because foreign networks take time to report usage. Occasionally a network reports usage up to 30 days late.",
     "Check which zone each country is in before you travel, use Wi-Fi Calling, and keep the £50 Rest of the World roaming cap switched on. If a charge is from a country you did not visit, see whether your phone connected to a network across a border or on a ship."),
    ("device-plan", "Device Plan", ["what is the device plan line on my bill", "phone instalment on bill"],
     "The monthly instalment for a phone, tablet or watch you are buying from Voltway. It shows the device, the payment number, for example 7 of 24, and the balance left after this payment. Device Plan payments are fixed and never rise with the annual price change.",
     "The line appears on every bill until the device is paid off, even if you end your airtime plan or take your number to another network.",
     "You can pay off the balance at any time without a fee in **My Voltway > Mobile > Device Plans**."),
    ("equipment-rental", "Equipment and Multiroom", ["pod charge on my bill"],
     "Monthly charges for extra equipment: £5 a month for each Voltway Pod beyond any included with your plan, and £6 a month for Multiroom. The line lists each device with its charge.",
     "You see it if you have added Pods or Multiroom. The first Pod on Full Fibre 900 is included and shows with a £0 charge.",
     "Remove equipment you no longer use in **My Voltway > Equipment**, then return it with the prepaid bag within 30 days. The charge stops from the day you remove it."),
    ("one-off", "One-off charges", ["one off charge on my bill"],
     "Charges that are not repeated each month, such as the £50 setup fee on Flex plans, a £75 engineer visit for a fault in your home wiring, moving a fibre box, an accidental damage contribution, a Hub 5 upgrade or a replacement remote.",
     "Each one-off charge shows a short description and the date. You are always told about a one-off charge before you agree to it, for example at checkout or by the engineer.",
     "If you do not recognise a one-off charge, check **My Voltway > Orders** for orders or visits on that date. To query it, use **My Voltway > Help > Billing query** within 30 days."),
    ("non-return", "Equipment not returned", ["charged for not returning router", "equipment not returned charge"],
     "A charge for a hub, TV box, Pod or remote that we did not receive back within 30 days of your service ending or of sending you a replacement. The charges are £60 for a Hub 5, £40 for a Hub 4, £80 for a 5G Home Box, £30 for a Pod, £75 for a TV Box 2, £25 for a TV Stick and £15 for a voice remote.",
     "It usually appears on a final bill, or on the next bill after a replacement was sent.",
     "Return the equipment with a returns bag or drop-off code from **My Voltway > Orders > Return equipment**. When it arrives, the charge is refunded within five working days, even after the bill has been paid."),
    ("adjustments", "Adjustments and credits", ["what is an adjustment on my bill"],
     "Money taken off your bill. This includes automatic compensation for delayed repairs or installations, refunds of charges we have agreed were wrong, trade-in values, refer-a-friend rewards, and credits for unused days after a plan change.",
     "Adjustments show as negative amounts with a short reason and, where there is one, a reference such as a complaint reference starting CR or a fault reference starting FR.",
     "Nothing to stop: credits reduce what you pay. If a credit is larger than your bill, the rest carries forward to the next bill, or you can ask for a refund once it is above £5."),
    ("late-fee", "Late payment fee", ["late payment fee on my bill"],
     "A £10 fee added when a bill is still unpaid 14 days after its due date. It is charged once per bill, however many times we tried to collect the payment.",
     "It appears on the bill after the one that was paid late.",
     "Pay by Direct Debit and keep enough money in your account on the collection date, or move your bill date to after payday in **My Voltway > Billing > Payment date**. While a Help to Pay plan is active, no late payment fees are added. If the payment failed because of a mistake on our side, we remove the fee; ask through **Help > Billing query**."),
    ("subscriptions", "Subscriptions billed by Voltway", ["netflix on my voltway bill", "subscription charge on voltway bill"],
     "Streaming and other subscriptions you added to your Voltway bill, such as Netflix, at the same price the provider charges. Each subscription is listed with the period it covers.",
     "You see this line if you chose to pay for a subscription through Voltway in **My Voltway > TV > Apps & subscriptions**. Subscriptions you pay directly to the provider never appear on your Voltway bill.",
     "Cancel in **My Voltway > TV > Apps & subscriptions**; it stops at the end of the current month. You can also move the billing back to the provider and keep your account."),
    ("add-ons", "Add-ons and Data Boosts", ["data boost charge on bill"],
     "Extras added to a mobile line: Data Boosts (2 GB for £3, 5 GB for £5, 15 GB for £10), Auto Boosts, and monthly add-ons such as International Calls at £5 a month.",
     "Data Boosts show once for each time they were bought, with the date and the line. Monthly add-ons appear every month until removed.",
     "Turn off Auto Boost in **My Voltway > Mobile > Data Boost** if you do not want Boosts added when you run out. Remove monthly add-ons in **My Voltway > Mobile > Add-ons**; they stop at the end of the current month."),
    ("home-phone-calls", "Home Phone calls", ["landline calls charges on bill"],
     "Calls from your Home Phone that are not included in its unlimited UK calls: calls to 084, 087, 09 and 118 numbers, international calls, and calls to premium-rate services. Calls to UK landlines and mobiles, starting 01, 02, 03 and 07, are included and do not appear here with a cost.",
     "Each call is listed with the number dialled, the time, the duration and the cost. Calls appear on the bill after the one covering the dates of the calls.",
     "Add International Calls for £5 a month if you regularly call abroad from your landline. You can block premium-rate and international calls from your Home Phone in **My Voltway > Home Phone > Call barring**."),
]


def _bill_lines() -> list[dict]:
    items = []
    for n, (slug, line, examples, what, why, stop) in enumerate(BILL_LINES):
        items.append(dict(
            id=f"bill-line-{slug}",
            title=f"Your bill explained: {line}",
            category="billing",
            examples=examples if n % 3 == 0 else [],
            intro=(f"This article explains the line called **{line}** on your Voltway bill. To see every item on the line, "
                   "open the bill in **My Voltway > Billing > Bills** and select **Itemised usage**."),
            sections=[("What this line is", what), ("Why it is on your bill", why), ("How to stop or reduce it", stop)],
        ))
    return items


# --------------------------------------------------------------------------------------
# Phone set-up guides
# --------------------------------------------------------------------------------------

PHONES = {
    "iphone": "iPhone",
    "samsung": "Samsung Galaxy",
    "pixel": "Google Pixel",
    "android": "other Android phones",
}
# the same phones in the singular, for "a new ..."
PHONE_ONE = {
    "iphone": "iPhone",
    "samsung": "Samsung Galaxy",
    "pixel": "Google Pixel",
    "android": "Android phone from another maker",
}

# topic -> phone -> (sections list, examples)
PHONE_GUIDES = {
    "esim-setup": {
        "title": "Set up a Voltway eSIM on {phone}",
        "intro": "These steps are for {phone}. You need the QR code we emailed you and a Wi-Fi connection.",
        "iphone": ([
            ("Adding the eSIM", "1. Go to **Settings > Mobile Service** (on older iOS versions, **Settings > Mobile Data**) and tap **Add eSIM**.\n2. Tap **Use QR Code** and scan the code from our email on another screen.\n3. When asked, label the line, for example **Voltway**, and choose whether it is your default line for calls, messages and data.\n4. Wait for **Voltway** to appear at the top of the screen. This can take up to 10 minutes."),
            ("If you cannot scan the code", "Tap **Enter Details Manually** and type the SM-DP+ address and activation code shown under the QR code in our email. iPhones can also install an eSIM directly from a link: open our email on the iPhone itself and tap **Install on this iPhone**."),
            ("Models", "eSIM works on iPhone XS, XR and later. iPhone 14 and later models sold in the USA have no SIM tray at all and only use eSIM."),
        ], ["esim iphone setup", "scan esim qr code iphone"]),
        "samsung": ([
            ("Adding the eSIM", "1. Go to **Settings > Connections > SIM manager**.\n2. Tap **Add eSIM**, then **Scan QR code from service provider**.\n3. Scan the code from our email, then tap **Add** and **Confirm**.\n4. Tap **Turn on** when asked and wait for the Voltway name to appear in the status bar."),
            ("Choosing the default line", "If you also have a physical SIM, go back to **SIM manager** and set **Primary SIM** for calls, messages and mobile data. Turn off **Data switching** so data does not move between SIMs."),
            ("Models", "eSIM works on Galaxy S20 and later, Galaxy Z Flip and Fold models, and some Galaxy A models from 2023. Galaxy phones bought in some countries outside Europe do not support eSIM."),
        ], ["samsung esim setup", "add esim galaxy"]),
        "pixel": ([
            ("Adding the eSIM", "1. Go to **Settings > Network & internet > SIMs**.\n2. Tap **Add SIM** or **+**, then **Download a SIM instead?** and **Next**.\n3. Scan the QR code from our email.\n4. Tap **Activate** and wait until **Voltway** appears under **SIMs**."),
            ("If the Pixel asks to turn off the other SIM", "Pixel 3 and Pixel 4 can only use one eSIM or one physical SIM at a time for calls; newer Pixels can use both. Choose the SIM you want and the other is paused, not deleted."),
            ("Models", "eSIM works on Pixel 3 and later, except Pixel 3a models bought from some networks in Japan."),
        ], []),
        "android": ([
            ("Adding the eSIM", "Menus differ between makers, but the setting is usually in **Settings > Mobile network**, **Connections** or **SIM cards & mobile networks**. Look for **Add eSIM**, **Download eSIM** or **Add mobile plan** and scan the QR code from our email."),
            ("Makers we have tested", "- **Motorola**: **Settings > Network & internet > SIMs > Download a SIM instead**.\n- **Xiaomi**: **Settings > SIM cards & mobile networks > Manage eSIM**.\n- **OnePlus**: **Settings > Mobile network > Add eSIM**.\n- **Oppo**: **Settings > Mobile network > eSIM**."),
            ("If there is no eSIM option", "Your phone may not support eSIM, or the model sold in your country may not. Check the maker's specifications for your exact model number, or use a physical SIM instead."),
        ], ["esim on xiaomi", "motorola esim"]),
    },
    "esim-transfer": {
        "title": "Move your Voltway eSIM to a new {one}",
        "intro": "When you get a new phone, your eSIM needs to move to it. Your number, plan and allowance stay the same.",
        "iphone": ([
            ("iPhone to iPhone", "During setup of the new iPhone, or later in **Settings > Mobile Service > Add eSIM > Transfer From Nearby iPhone**, keep both iPhones unlocked and close together, with Bluetooth on. Approve the transfer on the old iPhone. The eSIM moves within a few minutes and stops working on the old phone."),
            ("From Android to iPhone", "Quick transfer only works between iPhones. Go to **My Voltway > Mobile > SIM & eSIM > Move eSIM to a new phone**, choose **iPhone**, and scan the new QR code with the new iPhone."),
            ("If the transfer fails", "Restart both phones and try again. If it still fails, request a new QR code in My Voltway: the old eSIM stops working when you scan the new one. SIM lock must be off."),
        ], ["transfer esim to new iphone", "new iphone esim move"]),
        "samsung": ([
            ("Using Samsung's transfer", "On Galaxy phones running One UI 6 or later, go to **Settings > Connections > SIM manager > Transfer SIM from other device** on the new phone. Follow the steps on the old Galaxy to approve. Both phones must be signed in to the same Samsung account."),
            ("Using a new QR code", "If Samsung's transfer is not offered, go to **My Voltway > Mobile > SIM & eSIM > Move eSIM to a new phone**, then add the eSIM on the new phone with **SIM manager > Add eSIM**. The old phone's eSIM stops working straight away."),
            ("Smart Switch", "Samsung Smart Switch moves your apps and data but not the eSIM. Move the eSIM separately."),
        ], []),
        "pixel": ([
            ("Using Google's transfer", "During setup of a new Pixel, choose **Copy apps & data** and then **Transfer SIM** when offered. You can also go to **Settings > Network & internet > SIMs > Add SIM > Transfer SIM from another device**. Approve on the old phone."),
            ("Using a new QR code", "If the transfer is not offered, get a new QR code in **My Voltway > Mobile > SIM & eSIM > Move eSIM to a new phone** and scan it on the new Pixel."),
            ("Old phone", "After the move, the eSIM profile on the old phone no longer works. Delete it from **Settings > Network & internet > SIMs** before you sell or trade in the phone."),
        ], ["move esim new pixel", "pixel esim transfer"]),
        "android": ([
            ("Getting a new QR code", "Most other Android phones cannot transfer an eSIM directly. Go to **My Voltway > Mobile > SIM & eSIM > Move eSIM to a new phone**. We email a new QR code within 15 minutes. Scan it on the new phone; the eSIM on the old phone stops working at that moment."),
            ("Before you scan", "Make sure the new phone is unlocked and connected to Wi-Fi, and that SIM lock is switched off in **My Voltway > Mobile > Bars and controls**. Each QR code can only be used once."),
            ("Old phone", "Delete the old eSIM profile in the old phone's SIM settings before you sell or trade it in."),
        ], []),
    },
    "apn": {
        "title": "Mobile data and picture message settings (APN) for {phone}",
        "intro": "If mobile data or picture messages do not work, check the APN settings. Most phones set them automatically.",
        "iphone": ([
            ("Where the settings are", "Go to **Settings > Mobile Service > Mobile Data Network**. If this menu is missing, the iPhone is already using our settings, which cannot be changed; restart the phone instead."),
            ("Voltway settings", "- Mobile Data APN: **voltway.net**, username and password blank.\n- MMS APN: **mms.voltway.net**\n- MMSC: **http://mms.voltway.example/servlets/mms**\n- MMS Proxy: **10.20.0.5:8080**\n- Personal Hotspot APN: **voltway.net**"),
            ("Resetting", "If you have typed settings in by mistake, tap **Reset Settings** at the bottom of the same page, or go to **Settings > General > Transfer or Reset iPhone > Reset > Reset Network Settings**. Resetting network settings also removes saved Wi-Fi networks and their passwords, so have them ready."),
        ], ["iphone apn settings", "mms settings iphone"]),
        "samsung": ([
            ("Where the settings are", "Go to **Settings > Connections > Mobile networks > Access Point Names**. Tap **Voltway** if it is listed, or **Add** to create it."),
            ("Voltway settings", "- Name: **Voltway**\n- APN: **voltway.net**\n- MMSC: **http://mms.voltway.example/servlets/mms**\n- MMS proxy: **10.20.0.5**, MMS port: **8080**\n- MCC **234**, MNC **77**\n- APN type: **default,mms,supl,dun**\nLeave username and password blank. Tap the three dots and **Save**, then select the new APN."),
            ("Resetting", "Tap the three dots in Access Point Names and choose **Reset to default** to restore the settings sent by the SIM. Restart the phone afterwards. If data still does not work, check that **Mobile data** and, abroad, **Data roaming** are on in **Settings > Connections > Mobile networks**."),
        ], []),
        "pixel": ([
            ("Where the settings are", "Go to **Settings > Network & internet > SIMs**, choose Voltway and tap **Access Point Names** at the bottom. Tap **+** to add an APN."),
            ("Voltway settings", "- Name: **Voltway**\n- APN: **voltway.net**\n- MMSC: **http://mms.voltway.example/servlets/mms**\n- MMS proxy: **10.20.0.5**, MMS port: **8080**\n- MCC **234**, MNC **77**\n- APN type: **default,mms,supl,dun**\nSave from the three-dot menu and select it."),
            ("Picture messages in Google Messages", "Group chats and pictures may be sent as RCS chat messages over data instead of MMS. If they fail, turn off **RCS chats** in **Messages > Settings**, and they are sent as MMS."),
        ], ["pixel mobile data settings", "apn pixel"]),
        "android": ([
            ("Where the settings are", "Search your phone's settings for **APN** or **Access point names**. It is usually under **Mobile network**, **SIM cards & mobile networks** or **Connections**."),
            ("Voltway settings", "- APN: **voltway.net** (username and password blank)\n- MMSC: **http://mms.voltway.example/servlets/mms**\n- MMS proxy **10.20.0.5**, port **8080**\n- MCC **234**, MNC **77**\n- APN type: **default,mms,supl,dun**\n- APN protocol: **IPv4/IPv6**"),
            ("Phones bought abroad", "Some phones bought outside the UK hide the APN menu or lock it. If you cannot save an APN, check the phone is unlocked and update its software. We cannot change settings on a phone that does not allow it."),
        ], []),
    },
    "wifi-calling-on": {
        "title": "Turn on Wi-Fi Calling on {phone}",
        "intro": "Wi-Fi Calling is free on all Voltway plans. Add your emergency address in **My Voltway > Mobile > Wi-Fi Calling address** first.",
        "iphone": ([
            ("Turning it on", "Go to **Settings > Phone > Wi-Fi Calling** and turn on **Wi-Fi Calling on This iPhone**. Confirm the emergency address message. When the iPhone is using Wi-Fi Calling, the status bar shows **Voltway Wi-Fi**."),
            ("Calls on other Apple devices", "Turn on **Add Wi-Fi Calling for Other Devices** to make and receive calls on your iPad or Mac when they are signed in to the same Apple ID, even if the iPhone is not nearby."),
            ("If the option is missing", "Update to the latest iOS version and restart. The option appears within 24 hours of the emergency address being added. It works on iPhone 8 and later."),
        ], ["wifi calling iphone", "iphone wifi calling switch on"]),
        "samsung": ([
            ("Turning it on", "Swipe down twice from the top of the screen and tap the **Wi-Fi Calling** tile, or go to the **Phone** app, tap the three dots, then **Settings > Wi-Fi Calling**. Turn it on."),
            ("Preferences", "Some Galaxy phones let you choose **Wi-Fi preferred** or **Mobile network preferred**. Choose Wi-Fi preferred if your indoor signal is weak."),
            ("If the tile is missing", "The Galaxy must be a model sold in the UK or unlocked with UK software; Galaxy phones with software for other countries may not show Wi-Fi Calling for UK networks. Update the phone and restart it. Wi-Fi Calling works on Galaxy S9 and later."),
        ], []),
        "pixel": ([
            ("Turning it on", "Go to **Settings > Network & internet > SIMs**, choose Voltway and turn on **Wi-Fi calling**. On some versions, it is under **Calls & SMS > Wi-Fi calling**."),
            ("Checking it works", "Turn on flight mode, then turn Wi-Fi back on and make a test call. The call screen shows **Wi-Fi call**."),
            ("If calls drop when leaving home", "Pixels hand over calls from Wi-Fi to 4G automatically. If calls drop when you leave, check **4G Calling** is on in the same menu. Wi-Fi Calling works on Pixel 4 and later. If the option is greyed out, restart the phone 24 hours after adding your emergency address in My Voltway; the setting is unlocked by the network."),
        ], ["turn on wifi calling pixel", "pixel wifi calls"]),
        "android": ([
            ("Turning it on", "Look in the Phone app's settings, or search your phone's settings for **Wi-Fi calling**. On Motorola, it is in **Settings > Network & internet > SIMs**; on Xiaomi, in **Settings > SIM cards & mobile networks > Voltway**; on OnePlus, in **Settings > Mobile network > SIM**."),
            ("Supported phones", "Wi-Fi Calling works on most Android phones released in the UK since 2020. Phones imported from other countries often lack the software needed for UK networks."),
            ("If calls fail over Wi-Fi", "Some routers and company networks block the connections Wi-Fi Calling uses. If it works at home but not at work, ask your IT team to allow Wi-Fi Calling."),
        ], []),
    },
}


def _phones() -> list[dict]:
    items = []
    for topic, guide in PHONE_GUIDES.items():
        for key, phone in PHONES.items():
            sections, examples = guide[key]
            items.append(dict(
                id=f"{topic}-{key}",
                title=guide["title"].format(phone=phone, one=PHONE_ONE[key]),
                category="mobile",
                examples=list(examples),
                intro=guide["intro"].format(phone=phone),
                sections=list(sections),
            ))
    return items


def family_articles() -> list[dict]:
    """Every family article, as keyword arguments for `make_kb.Spec`."""
    return _roaming() + _tv_errors() + _line_tests() + _bill_lines() + _phones()
