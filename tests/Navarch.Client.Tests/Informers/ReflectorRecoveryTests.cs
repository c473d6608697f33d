using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client.Informers;
using Navarch.Client.Tests.Support;

namespace Navarch.Client.Tests.Informers;

/// <summary>
/// Drops the informer's connection by restarting the API server while the informer's client is partitioned from it,
/// and changes the cluster in between. Each test owns its server since it restarts it.
/// </summary>
public sealed class ReflectorRecoveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Watch_DroppedConnection_ResumesFromLastResourceVersionWithoutRelisting()
    {
        await using var server = await TestServer.StartAsync();
        using var cts = new CancellationTokenSource(Deadline);
        var (informer, recorder, faults, run, client) = await StartInformerAsync(server, cts.Token);
        using var _ = client;

        faults.Partition();
        await server.RestartAsync();
        using (var admin = server.AdminClient())
        {
            await admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("new"), "default", cancellationToken: cts.Token);
            await admin.CoreV1.ReplaceNamespacedConfigMapAsync(Objects.ConfigMap("keep", "changed"), "keep", "default", cancellationToken: cts.Token);
            await admin.CoreV1.DeleteNamespacedConfigMapAsync("gone", "default", cancellationToken: cts.Token);
        }

        faults.Heal();
        await Eventually.TrueAsync(() => recorder.Saw("delete default/gone"), "the delete replayed by the resumed watch", Deadline);
        Assert.True(recorder.Saw("add default/new"));
        Assert.True(recorder.Saw("update default/keep"));
        Assert.Equal(1, informer.Reflector.Lists);
        Assert.Equal(0, informer.Reflector.Expirations);
        Assert.Equal("changed", informer.Lister.Get("default", "keep")?.Data["k"]);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Watch_ExpiredResourceVersion_RelistsAndDeliversTombstonesForMissedDeletes()
    {
        await using var server = await TestServer.StartAsync();
        using var cts = new CancellationTokenSource(Deadline);
        var (informer, recorder, faults, run, client) = await StartInformerAsync(server, cts.Token);
        using var _ = client;

        faults.Partition();
        await server.RestartAsync();
        using (var admin = server.AdminClient())
        {
            await admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("new"), "default", cancellationToken: cts.Token);
            await admin.CoreV1.ReplaceNamespacedConfigMapAsync(Objects.ConfigMap("keep", "changed"), "keep", "default", cancellationToken: cts.Token);
            await admin.CoreV1.DeleteNamespacedConfigMapAsync("gone", "default", cancellationToken: cts.Token);
        }

        // A second restart leaves the watch cache with no history before the changes: the informer's version is gone.
        await server.RestartAsync();
        faults.Heal();

        await Eventually.TrueAsync(() => recorder.Saw("tombstone default/gone"), "a tombstone for the missed delete", Deadline);
        Assert.True(recorder.Saw("add default/new"));
        Assert.True(recorder.Saw("update default/keep"));
        Assert.True(informer.Reflector.Expirations >= 1);
        Assert.Equal(2, informer.Reflector.Lists);
        Assert.Equal(["keep", "new"], informer.Lister.List("default").Select(c => c.Metadata.Name).Where(n => n is "keep" or "new" or "gone").Order());
        Assert.Equal("changed", informer.Lister.Get("default", "keep")?.Data["k"]);

        await cts.CancelAsync();
        await run;
    }

    private static async Task<(SharedIndexInformer<V1ConfigMap> Informer, RecordingHandler<V1ConfigMap> Recorder, FaultHandler Faults, Task Run, Kubernetes Client)>
        StartInformerAsync(TestServer server, CancellationToken cancellationToken)
    {
        using (var admin = server.AdminClient())
        {
            await admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("keep"), "default", cancellationToken: cancellationToken);
            await admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("gone"), "default", cancellationToken: cancellationToken);
        }

        var faults = new FaultHandler();
        var client = server.AdminClient(faults);
        var informer = new SharedIndexInformer<V1ConfigMap>(client, NullLoggerFactory.Instance, TimeProvider.System, new InformerOptions { Namespace = "default" });
        var recorder = new RecordingHandler<V1ConfigMap>();
        informer.AddEventHandler(recorder);
        var run = informer.RunAsync(cancellationToken);
        await informer.WaitForSyncAsync(cancellationToken);
        return (informer, recorder, faults, run, client);
    }
}
