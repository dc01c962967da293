from django.http import HttpRequest

from core.access import role_of


def roles(request: HttpRequest) -> dict:
    return {"user_role": role_of(request.user)}
