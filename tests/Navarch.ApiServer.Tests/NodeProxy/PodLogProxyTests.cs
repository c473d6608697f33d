using System.Text;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>pods/log through a real API server to a fake kubelet.</summary>
public sealed class PodLogProxyTests(NodeProxyFixture fixture) : IClassFixture<NodeProxyFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Log_ForwardsToContainerLogs_WithQueryAndKubeletClientCertificate()
    {
        var (code, text) = await GetTextAsync("/api/v1/namespaces/default/pods/one/log?tailLines=5&timestamps=true&sinceSeconds=10&limitBytes=100&previous=true");

        Assert.Equal(200, code);
        Assert.Equal("first\n", text);
        var seen = fixture.Kubelet.Requests.Last(r => r.Path.StartsWith("/containerLogs/default/one/", StringComparison.Ordinal));
        Assert.Equal("/containerLogs/default/one/c", seen.Path);
        Assert.Equal("?previous=true&timestamps=true&sinceSeconds=10&tailLines=5&limitBytes=100", seen.Query);
        Assert.Equal(ClusterCertificates.KubeletClientUserName, seen.ClientCommonName);
    }

    [Fact]
    public async Task Log_WithoutContainer_OnPodWithSeveral_Is400NamingThem()
    {
        var (code, text) = await GetTextAsync("/api/v1/namespaces/default/pods/two/log");

        Assert.Equal(400, code);
        Assert.Contains("a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [setup]", text);
    }

    [Fact]
    public async Task Log_WithoutContainer_UsesTheDefaultContainerAnnotation()
    {
        var (code, _) = await GetTextAsync("/api/v1/namespaces/default/pods/annotated/log");

        Assert.Equal(200, code);
        Assert.Contains(fixture.Kubelet.Requests, r => r.Path == "/containerLogs/default/annotated/b");
    }

    [Fact]
    public async Task Log_OfUnknownContainer_Is400()
    {
        var (code, text) = await GetTextAsync("/api/v1/namespaces/default/pods/one/log?container=zz");

        Assert.Equal(400, code);
        Assert.Contains("container zz is not valid for pod one", text);
    }

    [Fact]
    public async Task Log_WithNegativeTailLines_IsInvalid()
    {
        var (code, text) = await GetTextAsync("/api/v1/namespaces/default/pods/one/log?tailLines=-1");

        Assert.Equal(422, code);
        Assert.Contains("PodLogOptions \\u0022one\\u0022 is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0", text.Replace("\"", "\\u0022", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_WithUnparsableNumber_Is400()
    {
        var (code, text) = await GetTextAsync("/api/v1/namespaces/default/pods/one/log?sinceSeconds=abc");

        Assert.Equal(400, code);
        Assert.Contains("invalid syntax", text);
    }

    [Fact]
    public async Task Log_KubeletRefusal_BecomesBadRequestWithTheKubeletsText()
    {
        var (code, text) = await GetTextAsync("/api/v1/namespaces/default/pods/broken/log?previous=true");

        Assert.Equal(400, code);
        Assert.Contains("\"reason\":\"BadRequest\"", text);
        Assert.Contains("previous terminated container", text);
    }

    [Fact]
    public async Task Log_OfPodWithoutNode_IsEmpty()
    {
        var (code, text) = await GetTextAsync("/api/v1/namespaces/default/pods/pending/log");

        Assert.Equal(200, code);
        Assert.Equal("", text);
    }

    [Fact]
    public async Task Log_OfPodOnNodeWithoutAddress_IsInternalError()
    {
        var (code, text) = await GetTextAsync("/api/v1/namespaces/default/pods/stranded/log");

        Assert.Equal(500, code);
        Assert.Contains("no preferred addresses found", text);
    }

    [Fact]
    public async Task LogFollow_DeliversEachLineAsItComes_AndEndsTheKubeletStreamWhenTheClientLeaves()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default/pods/one/log?follow=true");
        var response = await fixture.Server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token);

        Assert.Equal("first\n", await ReadAtLeastAsync(stream, 6, timeout.Token));
        fixture.Kubelet.ReleaseSecondLine();
        Assert.Equal("second\n", await ReadAtLeastAsync(stream, 7, timeout.Token));

        response.Dispose();
        await fixture.Kubelet.FollowEnded.Task.WaitAsync(timeout.Token);
    }

    private static async Task<string> ReadAtLeastAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer);
    }

    private async Task<(int Code, string Text)> GetTextAsync(string path)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var response = await fixture.Server.Client.GetAsync(path, timeout.Token);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token));
    }
}
