"""Framework adapters for eidgate (Flask, ASGI, WSGI); each lives in its own module."""
