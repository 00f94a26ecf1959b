"""Password rules with messages in the site's language.

Django 5.2's Chinese catalog lacks the message of its minimum-length rule (the English text
was shown on the Chinese password pages); this one says it in Chinese, like the other rules.
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码长度太短，至少须有 %(min_length)d 个字符。") % {"min_length": self.min_length}
