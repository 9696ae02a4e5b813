"""Mail: rendering queued messages (render.py), sending them (transports.py) and the outbox dispatcher (dispatcher.py).

Services queue mail as data (core.mailing); nothing here runs inside a request.
"""
