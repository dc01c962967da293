"""Who sees which market. A board sees its own markets only; anything else is 404."""

from typing import TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from core.actors import Actor
from core.errors import NotFound, PermissionDenied
from core.models import Role

_Market = TypeVar("_Market", bound=Model)


def role_of(user: Actor) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.OPERATOR
    profile = getattr(user, "staff", None)
    return profile.role if profile else None


def visible_markets(user: Actor, markets: QuerySet[_Market]) -> QuerySet[_Market]:
    """The part of `markets` the person may see. The caller hands the markets
    in (merchants.selectors.markets_visible_to): core builds on no app."""
    role = role_of(user)
    if role in (Role.OPERATOR, Role.DEPARTMENT):
        return markets
    if role == Role.BOARD and isinstance(user, User):
        return markets.filter(board_members=user.staff)
    return markets.none()


def can_see_market(user: Actor, market: Model) -> bool:
    return visible_markets(user, type(market)._default_manager.filter(pk=market.pk)).exists()


def require_market_write(user: Actor, market: Model) -> User:
    """Boards write their own markets, operators any; others cannot write.
    Returns the person who may write, for the records that name them.

    A board asking about another market gets NotFound, so it cannot learn the
    market's contents exist.
    """
    role = role_of(user)
    if isinstance(user, User):
        if role == Role.OPERATOR:
            return user
        if role == Role.BOARD:
            if not can_see_market(user, market):
                raise NotFound(_("Không tìm thấy chợ"))
            return user
        if role == Role.DEPARTMENT and can_see_market(user, market):
            raise PermissionDenied(_("Sở Công Thương chỉ được xem, không được thay đổi dữ liệu"))
    raise NotFound(_("Không tìm thấy chợ"))


def require_operator(user: Actor) -> None:
    if role_of(user) != Role.OPERATOR:
        raise PermissionDenied(_("Chỉ cán bộ vận hành được thực hiện thao tác này"))
