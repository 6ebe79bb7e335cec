"""The local backend's HTTP side: the Starlette app, its routes and how it is launched.

Modules import downward only: ``launch -> app -> *_routes -> (uploads, sse, context)``,
and from there into :mod:`nemowidgets.local.store`, :mod:`nemowidgets.local.agent`
and :mod:`nemowidgets.local.render`; nothing below imports this package.
"""
