"""How the console answers refusals and errors: a page (or, for htmx, a message), never a crash.

The handlers for HTTP and validation errors answer console paths with pages and leave every
other path (the JSON APIs) to FastAPI's own handlers.
"""

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.console.auth import ConsoleRefusal, LoginRequired
from bot.console.templating import render_page

logger = logging.getLogger(__name__)

PREFIX = "/console"
TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Refused",
    413: "Too long",
    422: "Invalid input",
    429: "Too many attempts",
}


def is_console(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


def error_response(request: Request, status_code: int, title: str, message: str) -> Response:
    """The error page, or for an htmx request a message shown in the page's message area."""
    try:
        if request.headers.get("HX-Request") == "true":
            return render_page(
                request,
                "_flash.html",
                {"error": message},
                status_code=status_code,
                headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
            )
        return render_page(
            request,
            "error.html",
            {"status_code": status_code, "title": title, "message": message},
            status_code=status_code,
        )
    except Exception:  # the error page itself must never turn a refusal into a crash
        logger.exception("console error page failed")
        return PlainTextResponse(f"{status_code} {title}: {message}", status_code=status_code)


async def handle_refusal(request: Request, error: Exception) -> Response:
    assert isinstance(error, ConsoleRefusal)
    logger.info("console refused %s %s: %s", request.method, request.url.path, error.message)
    return error_response(request, error.status_code, error.title, error.message)


async def handle_login_required(request: Request, _error: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = f"{PREFIX}/login?next={quote(target, safe='')}"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": login})
    if request.method == "GET" and "text/event-stream" not in request.headers.get("accept", ""):
        return RedirectResponse(login, status_code=303)
    return error_response(request, 401, "Please sign in", "Your session has ended. Please sign in again.")


async def handle_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if not is_console(request):
        return await http_exception_handler(request, error)
    message = error.detail if isinstance(error.detail, str) else "The request could not be handled."
    if error.status_code == 404 and message == "Not Found":
        message = "There is no such page in the console."
    return error_response(request, error.status_code, TITLES.get(error.status_code, "Error"), message)


async def handle_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if not is_console(request):
        return await request_validation_exception_handler(request, error)
    if any(part.get("loc", ("",))[0] == "path" for part in error.errors()):
        return error_response(request, 404, "Not found", "There is no such page in the console.")
    return error_response(
        request,
        400,
        "Invalid input",
        "Something in the form was missing or not valid. Please check it and try again.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ConsoleRefusal, handle_refusal)
    app.add_exception_handler(LoginRequired, handle_login_required)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
