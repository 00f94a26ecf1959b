from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"))
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GB18030 编码）或 Excel .xlsx（读取第一个工作表）。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, kinds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]


