from django.urls import path

from twinning.site import account_views, self_views
from twinning.site.account_pickers import AccountCommitteePicker

urlpatterns = [
    # One's own account.
    path("account/", self_views.my_account, name="my_account"),
    path("account/password/", self_views.PasswordChange.as_view(), name="password_change"),
    path("account/two-factor/", self_views.second_factor_setup, name="second_factor_setup"),
    path("account/two-factor/verify/", self_views.second_factor_verify,
         name="second_factor_verify"),
    path("account/two-factor/off/", self_views.second_factor_off, name="second_factor_off"),
    path("account/two-factor/recovery-codes/", self_views.recovery_codes_renew,
         name="recovery_codes_renew"),
    # Signed out: a forgotten password by e-mail, a one-time link.
    path("accounts/password-reset/", self_views.PasswordReset.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", self_views.PasswordResetDone.as_view(),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", self_views.PasswordSet.as_view(),
         name="password_reset_confirm"),
    path("accounts/link/<uidb64>/<token>/", self_views.AccountLink.as_view(),
         name="account_link"),
    # Managing accounts.
    path("accounts/", account_views.account_list, name="account_list"),
    path("accounts/new/", account_views.account_create, name="account_create"),
    path("accounts/pick-committee/", AccountCommitteePicker.as_view(),
         name="pick_account_committee"),
    path("accounts/<int:pk>/", account_views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", account_views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/active/", account_views.account_active, name="account_active"),
    path("accounts/<int:pk>/link/", account_views.account_link_issue,
         name="account_link_issue"),
    path("accounts/<int:pk>/two-factor/reset/", account_views.account_second_factor_reset,
         name="account_second_factor_reset"),
]
