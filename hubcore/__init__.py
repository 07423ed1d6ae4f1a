"""Django-free building blocks of the hub, shared by the service and hubctl."""
