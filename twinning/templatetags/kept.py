"""`{% kept "name" input … %}…{% endkept %}`: a fragment of a page rendered once per data
version and kept until the data changes (twinning.shared.kept_figures.fragment).

The key holds the name, the inputs (querysets by their SQL, so the user's reach; other values
by repr; a tuple counts as its items), the request's user, the language, today's date and the
data version. The user is always part of it because what a fragment shows may depend on the
user's rights (links, `may.<action>`). A fragment must not hold anything that differs between
two requests of the same user on unchanged data: no form token, no CSRF token, no messages, no
request parameter that is not among its inputs. An input missing from the context (or None)
is an error, not an empty key.
"""

from typing import Any

from django import template
from django.conf import settings
from django.template.base import FilterExpression, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from twinning.shared import kept_figures

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: FilterExpression,
                 inputs: list[FilterExpression], *, layout: bool = False) -> None:
        self.nodelist, self.name, self.inputs, self.layout = nodelist, name, inputs, layout

    def render(self, context: template.Context) -> SafeString:
        if self.layout and settings.DEBUG:  # templates edited while the server runs
            return self.nodelist.render(context)
        request = context.get("request")
        user = getattr(request, "user", None)
        inputs: list[Any] = [] if self.layout else [getattr(user, "pk", None)]
        for expression in self.inputs:
            value = expression.resolve(context, ignore_failures=True)
            if value is None and not self.layout:  # would share one fragment between pages
                raise template.TemplateSyntaxError(
                    f"{{% kept %}}: {expression.token!r} is not in the context")
            inputs.extend(value if isinstance(value, tuple) else (value,))
        name = str(self.name.resolve(context))
        return mark_safe(kept_figures.fragment(name, tuple(inputs),
                                               lambda: self.nodelist.render(context),
                                               versioned=not self.layout))


def _parse(parser: Parser, token: Token, *, layout: bool) -> KeptNode:
    bits = token.split_contents()
    tag = bits[0]
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            f"{{% {tag} %}} needs a name: {{% {tag} \"name\" input … %}}")
    nodelist = parser.parse((f"end{tag}",))
    parser.delete_first_token()
    expressions: list[Any] = [parser.compile_filter(bit) for bit in bits[1:]]
    return KeptNode(nodelist, expressions[0], expressions[1:], layout=layout)


@register.tag
def kept(parser: Parser, token: Token) -> KeptNode:
    return _parse(parser, token, layout=False)


@register.tag
def kept_layout(parser: Parser, token: Token) -> KeptNode:
    """`{% kept_layout "name" input … %}…{% endkept_layout %}`: a part of the base layout that
    reads no programme data, only its inputs (the user's rights as `may`, the page's name, a
    count): kept per inputs and language for every user alike, without the data version."""
    return _parse(parser, token, layout=True)
