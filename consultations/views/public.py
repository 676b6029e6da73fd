from django.http import HttpResponse


def request_new(request):
    return HttpResponse("")
