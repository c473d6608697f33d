using System.Net;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>The API server answered a request of <see cref="ResourceApi"/> with a failure status.</summary>
internal sealed class ResourceApiException(HttpStatusCode statusCode, string message) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
}
