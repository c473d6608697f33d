using System.Net;
using k8s.Autorest;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Tests.Framework;

public sealed class ApiErrorKindsTests
{
    private static HttpOperationException Error(HttpStatusCode code, string body) => new("failed")
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), body),
    };

    [Fact]
    public void NamespaceTerminating_IsRecognisedByItsCause_NotByTheStatusCodeAlone()
    {
        const string terminating = """{"kind":"Status","code":403,"reason":"Forbidden","details":{"causes":[{"reason":"NamespaceTerminating","field":"metadata.namespace"}]}}""";
        const string forbidden = """{"kind":"Status","code":403,"reason":"Forbidden","details":{}}""";

        Assert.True(ApiErrorKinds.IsNamespaceTerminating(Error(HttpStatusCode.Forbidden, terminating)));
        Assert.False(ApiErrorKinds.IsNamespaceTerminating(Error(HttpStatusCode.Forbidden, forbidden)));
        Assert.False(ApiErrorKinds.IsNamespaceTerminating(Error(HttpStatusCode.Forbidden, "not json")));
        Assert.False(ApiErrorKinds.IsNamespaceTerminating(new InvalidOperationException("other")));
    }

    [Fact]
    public void NotFound_IsOnlyA404FromTheApi()
    {
        Assert.True(ApiErrorKinds.IsNotFound(Error(HttpStatusCode.NotFound, "{}")));
        Assert.False(ApiErrorKinds.IsNotFound(Error(HttpStatusCode.Conflict, "{}")));
        Assert.False(ApiErrorKinds.IsNotFound(new InvalidOperationException("other")));
    }
}
