"""The site's log-in page, which is the back office's too."""

from django.contrib.auth import views as auth_views
from django.urls import reverse

from chinhthong.reach.queries import staff_of


class LoginView(auth_views.LoginView):
    """After logging in without a page asked for (`next`), a person who works in the back office
    (is_staff) lands on it, a staff member on a roster on the staff portal, everyone else on
    the home page."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if self.request.user.is_staff:
            return reverse("admin:index")
        if staff_of(self.request.user) is not None:
            return reverse("reach:home")
        return super().get_default_redirect_url()
