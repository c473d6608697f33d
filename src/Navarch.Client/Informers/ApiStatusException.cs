using System.Net;

namespace Navarch.Client.Informers;

/// <summary>The API server answered a list or watch with a failure status.</summary>
internal sealed class ApiStatusException(HttpStatusCode statusCode, string message) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
}
