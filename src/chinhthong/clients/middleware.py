"""The budget of every request (clients/budget.py), enforced before any view — or the CSRF
check, which parses form bodies — reads its body."""

from chinhthong.clients.budget import ADMITTED, DECIDED, admit, respond


class RequestBudgetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The server decided already for a request whose body it held back (config/asgi.py).
        decided = request.META.get(DECIDED)
        refusal = decided if decided is not None else admit(request, view_func)
        return None if refusal is ADMITTED else respond(request, refusal)
