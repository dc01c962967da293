from typing import Any

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

LOGIN_ATTEMPTS = 5
LOGIN_LOCK_SECONDS = 15 * 60


class ThrottledLoginView(auth_views.LoginView):
    """Five failed attempts for one username lock it for fifteen minutes."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = "login-fail:" + (request.POST.get("username") or "").strip().lower()
        if (cache.get(key) or 0) >= LOGIN_ATTEMPTS:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            cache.delete(key)
        else:
            cache.set(key, (cache.get(key) or 0) + 1, LOGIN_LOCK_SECONDS)
        return response
