from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # A guessed ("fuzzy") translation of a new message is worse than none: the catalog
    # check then names the message, and a person translates it.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
