using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Navarch.Client.Events;
using Navarch.Client.Tests.LeaderElection;

namespace Navarch.Client.Tests.Events;

public sealed class EventRecorderTests(ElectionServerFixture server) : IClassFixture<ElectionServerFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task Event_WritesCoreEventAboutTheObject()
    {
        var client = server.CreateClient();
        var configMap = await CreateConfigMapAsync(client);
        await using (var recorder = await StartRecorderAsync(client))
        {
            recorder.Event(configMap, EventTypes.Warning, "Broken", "it broke");
        }

        var ev = Assert.Single(await EventsAboutAsync(client, "default", configMap.Metadata.Name));
        Assert.Matches($"^{configMap.Metadata.Name}\\.[0-9a-f]{{16}}$", ev.Metadata.Name);
        Assert.Equal("default", ev.Metadata.NamespaceProperty);
        Assert.Equal("ConfigMap", ev.InvolvedObject.Kind);
        Assert.Equal("v1", ev.InvolvedObject.ApiVersion);
        Assert.Equal("default", ev.InvolvedObject.NamespaceProperty);
        Assert.Equal(configMap.Metadata.Uid, ev.InvolvedObject.Uid);
        Assert.Equal(configMap.Metadata.ResourceVersion, ev.InvolvedObject.ResourceVersion);
        Assert.Equal("Warning", ev.Type);
        Assert.Equal("Broken", ev.Reason);
        Assert.Equal("it broke", ev.Message);
        Assert.Equal("test-component", ev.Source.Component);
        Assert.Equal("host-1", ev.Source.Host);
        Assert.Equal("test-component", ev.ReportingComponent);
        Assert.Equal("host-1", ev.ReportingInstance);
        Assert.Equal(1, ev.Count);
        Assert.Equal(Seconds(_time.GetUtcNow()), ev.FirstTimestamp);
        Assert.Equal(ev.FirstTimestamp, ev.LastTimestamp);
    }

    [Fact]
    public async Task Event_AboutAFieldOfTheObject_KeptApartPerFieldPath()
    {
        var client = server.CreateClient();
        var configMap = await CreateConfigMapAsync(client);
        await using (var recorder = await StartRecorderAsync(client))
        {
            recorder.Event(configMap, "data{a}", EventTypes.Normal, "Checked", "checked");
            recorder.Event(configMap, "data{b}", EventTypes.Normal, "Checked", "checked");
            recorder.Event(configMap, EventTypes.Normal, "Checked", "checked");
        }

        var events = await EventsAboutAsync(client, "default", configMap.Metadata.Name);
        Assert.Equal(["", "data{a}", "data{b}"], events.Select(e => e.InvolvedObject.FieldPath ?? "").Order());
        Assert.All(events, e => Assert.Equal(1, e.Count));
    }

    [Fact]
    public async Task Event_RepeatedWithinWindow_BumpsCountAndLastTimestamp()
    {
        var client = server.CreateClient();
        var configMap = await CreateConfigMapAsync(client);
        var first = _time.GetUtcNow();
        await using (var recorder = await StartRecorderAsync(client))
        {
            recorder.Event(configMap, EventTypes.Normal, "Synced", "synced ok");
            _time.Advance(TimeSpan.FromSeconds(5));
            recorder.Eventf(configMap, EventTypes.Normal, "Synced", "synced {0}", "ok");
            _time.Advance(TimeSpan.FromSeconds(1));
            recorder.Event(configMap, EventTypes.Normal, "Synced", "a different message");
        }

        var events = await EventsAboutAsync(client, "default", configMap.Metadata.Name);
        Assert.Equal(2, events.Count);
        var repeated = Assert.Single(events, e => e.Message == "synced ok");
        Assert.Equal(2, repeated.Count);
        Assert.Equal(Seconds(first), repeated.FirstTimestamp);
        Assert.Equal(Seconds(first + TimeSpan.FromSeconds(5)), repeated.LastTimestamp);
        Assert.Equal(1, Assert.Single(events, e => e.Message == "a different message").Count);
    }

    [Fact]
    public async Task Event_RepeatedAfterWindow_CreatesANewEvent()
    {
        var client = server.CreateClient();
        var configMap = await CreateConfigMapAsync(client);
        await using (var recorder = await StartRecorderAsync(client))
        {
            recorder.Event(configMap, EventTypes.Normal, "Synced", "synced ok");
            _time.Advance(EventRecorder.AggregationWindow + TimeSpan.FromSeconds(1));
            recorder.Event(configMap, EventTypes.Normal, "Synced", "synced ok");
        }

        var events = await EventsAboutAsync(client, "default", configMap.Metadata.Name);
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(1, e.Count));
    }

    [Fact]
    public async Task Event_AboutClusterScopedObject_GoesToDefaultNamespace()
    {
        var client = server.CreateClient();
        var name = "events-ns-" + Guid.NewGuid().ToString("N")[..8];

        // Built in code: apiVersion and kind come from the model type.
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Uid = Guid.NewGuid().ToString() } };
        await using (var recorder = await StartRecorderAsync(client))
        {
            recorder.Event(ns, EventTypes.Normal, "Seen", "hello");
        }

        var ev = Assert.Single(await EventsAboutAsync(client, "default", name));
        Assert.Equal("Namespace", ev.InvolvedObject.Kind);
        Assert.Equal("v1", ev.InvolvedObject.ApiVersion);
        Assert.Null(ev.InvolvedObject.NamespaceProperty);
    }

    [Fact]
    public async Task Event_WithUnsupportedType_IsDropped()
    {
        var client = server.CreateClient();
        var configMap = await CreateConfigMapAsync(client);
        await using (var recorder = await StartRecorderAsync(client))
        {
            recorder.Event(configMap, "Fatal", "Oops", "nope");
            recorder.Event(configMap, EventTypes.Normal, "Fine", "fine");
        }

        var ev = Assert.Single(await EventsAboutAsync(client, "default", configMap.Metadata.Name));
        Assert.Equal("Fine", ev.Reason);
    }

    [Fact]
    public async Task Event_WhenQueueIsFull_DropsWithoutBlocking()
    {
        var client = server.CreateClient();
        var configMap = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "never-written", NamespaceProperty = "default" } };
        var recorder = new EventRecorder(client, "test-component", null, NullLoggerFactory.Instance, _time);

        // Not started: nothing drains the queue, so the calls past its bound must return at once.
        var call = Task.Run(() =>
        {
            for (var i = 0; i < EventRecorder.MaxQueuedEvents + 10; i++)
            {
                recorder.Event(configMap, EventTypes.Normal, "Flood", "message " + i);
            }
        });
        await call.WaitAsync(Deadline);
        await recorder.DisposeAsync();
    }

    private async Task<EventRecorder> StartRecorderAsync(IKubernetes client)
    {
        var recorder = new EventRecorder(client, "test-component", "host-1", NullLoggerFactory.Instance, _time);
        await recorder.StartAsync(CancellationToken.None);
        return recorder;
    }

    private static async Task<V1ConfigMap> CreateConfigMapAsync(IKubernetes client)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var name = "events-" + Guid.NewGuid().ToString("N")[..8];
        return await client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, "default", cancellationToken: cts.Token);
    }

    private static async Task<List<Corev1Event>> EventsAboutAsync(IKubernetes client, string ns, string name)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var list = await client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: cts.Token);
        return list.Items.Where(e => e.InvolvedObject.Name == name).ToList();
    }

    private static DateTime Seconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
