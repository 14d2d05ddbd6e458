"""The site's log-in page, which is the back office's too."""

from django.contrib.auth import views as auth_views
from django.urls import reverse

from chinhthong.accounts import roles
from chinhthong.reach.queries import staff_of
from chinhthong.reports import access as reports_access


class LoginView(auth_views.LoginView):
    """After logging in without a page asked for (`next`), a report handler lands on the reports
    to handle, a police liaison on the cases referred to their body, a person who works in the
    back office (is_staff) on it, a staff member on a roster on the staff portal, everyone else
    on the home page."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if reports_access.has_role(user, roles.REPORT_HANDLER):
            return reverse("reports:queue")
        if reports_access.is_liaison(user):
            return reverse("reports:referral-list")
        if self.request.user.is_staff:
            return reverse("admin:index")
        if staff_of(self.request.user) is not None:
            return reverse("reach:home")
        return super().get_default_redirect_url()
