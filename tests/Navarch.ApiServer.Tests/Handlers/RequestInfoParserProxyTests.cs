using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Handlers;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Handlers;

/// <summary>The proxy subresource takes the rest of the path, however many segments it has.</summary>
public sealed class RequestInfoParserProxyTests
{
    private readonly ResourceRegistry _registry = ResourceRegistry.CreateDefault();

    [Theory]
    [InlineData("nodes/n1/proxy", "n1", "")]
    [InlineData("nodes/n1:10250/proxy/", "n1:10250", "/")]
    [InlineData("nodes/n1/proxy/stats/summary", "n1", "/stats/summary")]
    [InlineData("nodes/n1/proxy/a/b/c/d/e/f/g/", "n1", "/a/b/c/d/e/f/g/")]
    public void Parse_NodeProxy_KeepsTheProxiedPath(string rest, string name, string proxyPath)
    {
        var info = RequestInfoParser.Parse(_registry, "", "v1", rest);

        Assert.Equal("nodes", info.Definition.Resource);
        Assert.Equal(name, info.Name);
        Assert.Equal("proxy", info.Subresource);
        Assert.Equal(proxyPath, info.ProxyPath);
    }

    [Fact]
    public void Parse_PodProxy_KeepsNamespaceNameAndPath()
    {
        var info = RequestInfoParser.Parse(_registry, "", "v1", "namespaces/default/pods/web:8080/proxy/x/y/z/w");

        Assert.Equal(("pods", "default", "web:8080", "proxy", "/x/y/z/w"),
            (info.Definition.Resource, info.Namespace, info.Name, info.Subresource, info.ProxyPath));
    }

    [Fact]
    public void Parse_OtherSubresource_HasNoProxyPath()
    {
        var info = RequestInfoParser.Parse(_registry, "", "v1", "nodes/proxy/status");

        Assert.Equal(("proxy", "status", null), (info.Name, info.Subresource, info.ProxyPath));
    }

    [Theory]
    [InlineData("services/s/proxy/x")]
    [InlineData("pods/p/proxy/x")]
    [InlineData("services/s:http/proxy")]
    [InlineData("namespaces/ns/proxy/x")]
    [InlineData("nodes/n1/status/x")]
    public void Parse_ProxyOfResourceWithoutIt_IsNotFound(string rest)
    {
        var e = Assert.Throws<ApiException>(() => RequestInfoParser.Parse(_registry, "", "v1", rest));

        Assert.Equal(404, e.Code);
    }
}
