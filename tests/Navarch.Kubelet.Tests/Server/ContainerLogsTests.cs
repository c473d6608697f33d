using System.Net;
using System.Text.RegularExpressions;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Tests.Server;

/// <summary><c>/containerLogs</c> against real containers writing real CRI log files.</summary>
[Collection(ContainerdCollection.Name)]
public sealed partial class ContainerLogsTests(ContainerdFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _timeout = new(TestTimeout);
    private KubeletApi? _api;
    private TestPod? _pod;

    private KubeletApi Api => _api ?? throw new InvalidOperationException("not started");

    private TestPod Pod => _pod ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _api = await KubeletApi.StartAsync(fixture.Cri);
        _pod = await TestPod.RunAsync(fixture, "logs-" + Guid.NewGuid().ToString("N")[..8], _timeout.Token);
    }

    [Fact(Timeout = 30_000)]
    public async Task Logs_OfExitedContainer_ReturnsAllLinesTailAndTimestamps()
    {
        var id = await Pod.StartContainerAsync("app", 0, _timeout.Token, "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done");
        await Pod.WaitForStateAsync(id, ContainerState.ContainerExited, _timeout.Token);
        var client = Api.ApiServerClient();

        var all = await client.GetStringAsync(Path("app"), _timeout.Token);
        var tail = await client.GetStringAsync(Path("app") + "?tailLines=2", _timeout.Token);
        var limited = await client.GetStringAsync(Path("app") + "?limitBytes=8", _timeout.Token);
        var stamped = await client.GetStringAsync(Path("app") + "?timestamps=true&tailLines=1", _timeout.Token);

        Assert.Equal("line1\nline2\nline3\nline4\nline5\n", all);
        Assert.Equal("line4\nline5\n", tail);
        Assert.Equal("line1\nli", limited);
        Assert.Matches(TimestampedLine(), stamped);
        Assert.EndsWith(" line5\n", stamped, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Logs_WithSinceSecondsAfterEveryLine_ReturnsNothing()
    {
        var id = await Pod.StartContainerAsync("app", 0, _timeout.Token, "sh", "-c", "echo old");
        await Pod.WaitForStateAsync(id, ContainerState.ContainerExited, _timeout.Token);
        var since = DateTimeOffset.UtcNow.AddSeconds(5).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        var recent = await Api.ApiServerClient().GetStringAsync(Path("app") + "?sinceSeconds=60", _timeout.Token);
        var none = await Api.ApiServerClient().GetStringAsync(Path("app") + "?sinceTime=" + Uri.EscapeDataString(since), _timeout.Token);

        Assert.Equal("old\n", recent);
        Assert.Equal("", none);
    }

    [Fact(Timeout = 30_000)]
    public async Task Logs_Follow_StreamsLinesWrittenLaterAndEndsWhenContainerExits()
    {
        await Pod.StartContainerAsync("app", 0, _timeout.Token, "sh", "-c", "echo start; sleep 2; echo later");
        var client = Api.ApiServerClient();

        using var response = await client.GetAsync(Path("app") + "?follow=true", HttpCompletionOption.ResponseHeadersRead, _timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_timeout.Token));
        var first = await reader.ReadLineAsync(_timeout.Token);
        var afterFirst = DateTimeOffset.UtcNow;
        var second = await reader.ReadLineAsync(_timeout.Token);
        var secondAt = DateTimeOffset.UtcNow;
        var end = await reader.ReadToEndAsync(_timeout.Token);

        Assert.Equal("start", first);
        Assert.Equal("later", second);
        Assert.True(secondAt - afterFirst > TimeSpan.FromSeconds(1), "the second line came with the first, not as it was written");
        Assert.Equal("", end);
    }

    [Fact(Timeout = 30_000)]
    public async Task Logs_Follow_GoesOnAcrossLogRotation()
    {
        await Pod.StartContainerAsync("app", 0, _timeout.Token, "sh", "-c", "i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo n$i; sleep 0.1; done");
        var rotator = new Navarch.Kubelet.Logs.ContainerLogRotator(fixture.Cri, new Navarch.Kubelet.Logs.ContainerLogRotationOptions { MaxSize = 1 });

        using var response = await Api.ApiServerClient().GetAsync(Path("app") + "?follow=true", HttpCompletionOption.ResponseHeadersRead, _timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_timeout.Token));
        var lines = new List<string>();
        var rotations = 0;
        while (await reader.ReadLineAsync(_timeout.Token) is { } line)
        {
            lines.Add(line);
            // Rotate twice while following, at lines 5 and 20 (rotations are at most one a second).
            if (line is "n5" or "n20")
            {
                rotations += (await rotator.RotateAsync(_timeout.Token)).Count;
            }
        }

        Assert.Equal(2, rotations);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => "n" + i), lines);
    }

    [Fact(Timeout = 30_000)]
    public async Task Logs_Previous_ReturnsThePreviousAttempt()
    {
        var first = await Pod.StartContainerAsync("app", 0, _timeout.Token, "sh", "-c", "echo attempt-zero");
        await Pod.WaitForStateAsync(first, ContainerState.ContainerExited, _timeout.Token);
        var second = await Pod.StartContainerAsync("app", 1, _timeout.Token, "sh", "-c", "echo attempt-one");
        await Pod.WaitForStateAsync(second, ContainerState.ContainerExited, _timeout.Token);
        var client = Api.ApiServerClient();

        Assert.Equal("attempt-one\n", await client.GetStringAsync(Path("app"), _timeout.Token));
        Assert.Equal("attempt-zero\n", await client.GetStringAsync(Path("app") + "?previous=true", _timeout.Token));
    }

    [Fact(Timeout = 30_000)]
    public async Task Logs_PreviousWithoutRestart_Returns400Status()
    {
        var id = await Pod.StartContainerAsync("app", 0, _timeout.Token, "sh", "-c", "echo once");
        await Pod.WaitForStateAsync(id, ContainerState.ContainerExited, _timeout.Token);

        var response = await Api.ApiServerClient().GetAsync(Path("app") + "?previous=true", _timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = await KubeletServerAuthTests.AssertStatusAsync(response, 400, "BadRequest");
        Assert.Equal($"previous terminated container \"app\" in pod \"{Pod.Name}\" not found", status.GetProperty("message").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Logs_UnknownContainerOrPod_Returns400And404()
    {
        var client = Api.ApiServerClient();

        var noContainer = await client.GetAsync(Path("missing"), _timeout.Token);
        var noPod = await client.GetAsync("/containerLogs/default/no-such-pod/app", _timeout.Token);
        var badQuery = await client.GetAsync(Path("app") + "?tailLines=-1", _timeout.Token);

        var status = await KubeletServerAuthTests.AssertStatusAsync(noContainer, 400, "BadRequest");
        Assert.Equal($"container \"missing\" in pod \"{Pod.Name}\" is not available", status.GetProperty("message").GetString());
        await KubeletServerAuthTests.AssertStatusAsync(noPod, 404, "NotFound");
        await KubeletServerAuthTests.AssertStatusAsync(badQuery, 400, "BadRequest");
    }

    private string Path(string container) => $"/containerLogs/{Pod.Namespace}/{Pod.Name}/{container}";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z line5\n$")]
    private static partial Regex TimestampedLine();

    public async Task DisposeAsync()
    {
        if (_pod is not null) await _pod.RemoveAsync();
        if (_api is not null) await _api.DisposeAsync();
        _timeout.Dispose();
    }
}
