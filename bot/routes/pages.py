"""Pages for people: the demo help page that embeds the widget, and the widget script itself."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from bot.deps import SettingsDep

PACKAGE_DIR = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def read_demo_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """A sample help-centre page with the chat widget embedded by one script tag."""
    base_url = settings.public_url.rstrip("/") if settings.public_url else str(request.base_url).rstrip("/")
    return templates.TemplateResponse(request, "demo.html", {"base_url": base_url})


@router.get("/widget.js")
def read_widget_script() -> FileResponse:
    """The embeddable widget (one file, no dependencies)."""
    return FileResponse(PACKAGE_DIR / "static" / "widget.js", media_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})


@router.get("/widget.css")
def read_widget_styles() -> FileResponse:
    """The widget's styles, loaded by widget.js into its shadow root."""
    return FileResponse(PACKAGE_DIR / "static" / "widget.css", media_type="text/css",
                        headers={"Cache-Control": "no-cache"})
