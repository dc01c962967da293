"""Who acts in a service call, and whom its records name."""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

# A request's user: a person signed in on a page, the owner of an API token
# (the API's bearer authentication puts the owner on the request), or an
# anonymous visitor whom the access rules turn away. None is the system
# itself: a scheduled task, a management command, the partner webhooks.
Actor: TypeAlias = User | AnonymousUser | None


def recorded_user(actor: Actor) -> User | None:
    """The person an audit row or a consent record names: nobody when the
    system or an anonymous visitor acts."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None
