"""Pelican glue: the theme speaks the board's language.

Jinja's i18n extension is switched on in generator.settings; this installs
the board's catalog (generator.translations) on each generator's Jinja
environment, so {% trans %} and _() in the templates are translated. Without
it every template would fail on an undefined _(), so a broken catalog stops
the build instead of publishing half-translated pages.
"""

from pelican import signals

from generator.site.translations import load_translations


def install_translations(generator):
    env = getattr(generator, "env", None)
    if env is None:
        return
    env.install_gettext_translations(
        load_translations(generator.settings["QUIETBOARD"]["language"]), newstyle=False
    )
    # {% trans %} blocks lose their line breaks and indentation, as babel.cfg extracts them.
    env.policies["ext.i18n.trimmed"] = True


def register():
    signals.generator_init.connect(install_translations)
