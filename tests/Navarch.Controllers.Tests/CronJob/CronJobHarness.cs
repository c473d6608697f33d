using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.CronJob;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.CronJob;

/// <summary>
/// A CronJob controller built by hand against the fixture's API server with a <see cref="FakeTimeProvider"/> as its
/// clock (the informers and event recorder keep real time), so a test decides when schedules come due.
/// </summary>
public sealed class CronJobHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly IKubernetes _client;
    private readonly SharedInformerFactory _informers;
    private readonly Dictionary<string, EventRecorder> _recorders = [];
    private CronJobController? _controller;
    private Task? _running;

    private CronJobHarness(ControllerFixture cluster, DateTimeOffset start)
    {
        Time = new FakeTimeProvider(start);
        _client = cluster.ClientFor("system:kube-controller-manager")(ClientRateLimit.Unlimited);
        _informers = new SharedInformerFactory(_client, NullLoggerFactory.Instance, TimeProvider.System);
    }

    public FakeTimeProvider Time { get; }

    public static async Task<CronJobHarness> StartAsync(ControllerFixture cluster, DateTimeOffset start)
    {
        var harness = new CronJobHarness(cluster, start);
        var context = new ControllerContext(harness._client, harness._informers, harness.Recorder,
            new ControllerManagerOptions { Workers = 2 }, NullLoggerFactory.Instance, harness.Time);
        harness._controller = new CronJobController(context);
        harness._informers.Start(harness._stop.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await harness._informers.WaitForCacheSyncAsync(timeout.Token);
        harness._running = harness._controller.RunAsync(harness._stop.Token);
        return harness;
    }

    private EventRecorder Recorder(string component)
    {
        lock (_recorders)
        {
            if (_recorders.TryGetValue(component, out var existing)) return existing;
            var recorder = new EventRecorder(_client, component, "test", NullLoggerFactory.Instance, TimeProvider.System);
            _ = recorder.StartAsync(CancellationToken.None);
            _recorders[component] = recorder;
            return recorder;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null) await _running.WaitAsync(TimeSpan.FromSeconds(10));
        _controller?.Dispose();
        await _informers.DisposeAsync();
        foreach (var recorder in _recorders.Values)
        {
            await recorder.DisposeAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
