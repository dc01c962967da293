from core.access import role_of


def roles(request) -> dict:
    return {"user_role": role_of(request.user)}
