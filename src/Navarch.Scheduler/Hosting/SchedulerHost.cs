using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Hosting;
using Navarch.Client.Informers;
using Navarch.Client.LeaderElection;
using Navarch.Client.Serving;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Core;
using Navarch.Scheduler.Plugins;

namespace Navarch.Scheduler.Hosting;

/// <summary>
/// The scheduler as a hosted service, composed as kube-scheduler is: informers warm their caches at once, then
/// the instance campaigns for the <c>kube-system/kube-scheduler</c> Lease and schedules only while it leads.
/// Each term of leadership gets a fresh <see cref="PodScheduler"/> fed from the shared informers, so a
/// re-elected instance starts from the current cluster state, never from a stale queue.
/// </summary>
public sealed partial class SchedulerHost(
    SchedulerHostOptions options,
    Func<ClientRateLimit, IKubernetes> clientFactory,
    ILoggerFactory loggers,
    TimeProvider time) : IHostedService, IComponentHealth, IAsyncDisposable
{
    /// <summary>The pods the scheduler watches: finished ones hold no resources, as kube-scheduler's pod informer.</summary>
    private const string NotTerminatedPods = "status.phase!=Succeeded,status.phase!=Failed";

    private readonly ILogger _logger = loggers.CreateLogger<SchedulerHost>();
    private readonly ComponentRun _run = new();
    private IKubernetes? _client;
    private SharedInformerFactory? _informers;
    private Dictionary<string, EventRecorder> _recorders = [];
    private RecorderSchedulerEvents? _events;
    private ComponentServer? _server;
    private volatile PodScheduler? _scheduler;
    private volatile bool _leading;
    private volatile bool _synced;
    private int _disposed;

    /// <summary>The scheduler of the current leadership term; null while this instance does not lead.</summary>
    public PodScheduler? Scheduler => _scheduler;

    public bool IsLeader => _leading;

    /// <summary>Where health and metrics are served, when they are.</summary>
    public Uri? HealthUrl => _server?.Url;

    public IReadOnlyList<(string Name, Func<bool> Check)> HealthChecks =>
    [
        ("ping", static () => true),
        ("informer-sync", () => _synced),
    ];

    public void RenderMetrics(StringBuilder text) => SchedulerMetricsRenderer.Render(text, _scheduler, _leading);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Configuration.Validate(InTreePlugins.Registry);
        _client = clientFactory(options.RateLimit);
        foreach (var profile in options.Configuration.Profiles)
        {
            var recorder = new EventRecorder(_client, profile.SchedulerName, Environment.MachineName, loggers, time);
            await recorder.StartAsync(cancellationToken).ConfigureAwait(false);
            _recorders[profile.SchedulerName] = recorder;
        }

        _events = new RecorderSchedulerEvents(_recorders, _recorders[options.Configuration.Profiles[0].SchedulerName]);

        // Fail at start on a bad configuration or plugin arguments: building the plugins checks them all. Plugin
        // factories reject bad args with ArgumentException; as kube-scheduler, report those as configuration errors.
        try
        {
            using (new PodScheduler(options.Configuration, InTreePlugins.Registry, new ApiSchedulerClient(_client, _ => null, _ => null, time), _events, time))
            {
            }
        }
        catch (ArgumentException e)
        {
            var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new SchedulerConfigurationException(message);
        }

        _informers = new SharedInformerFactory(_client, loggers, time);
        _server = new ComponentServer(options.Serving, this, loggers, time);
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);

        var pods = _informers.For<V1Pod>(fieldSelector: NotTerminatedPods);
        var nodes = _informers.For<V1Node>();
        var namespaces = _informers.For<V1Namespace>();
        var priorityClasses = _informers.For<V1PriorityClass>();
        _informers.Start(_run.Stopping);
        _run.Start(_informers, stopping => RunAsync(pods, nodes, namespaces, priorityClasses, stopping));
    }

    private async Task RunAsync(
        SharedIndexInformer<V1Pod> pods,
        SharedIndexInformer<V1Node> nodes,
        SharedIndexInformer<V1Namespace> namespaces,
        SharedIndexInformer<V1PriorityClass> priorityClasses,
        CancellationToken cancellationToken)
    {
        await _informers!.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false);
        _synced = true;
        var client = new ApiSchedulerClient(_client!, namespaces.Lister.Get, priorityClasses.Lister.Get, time);
        var election = options.Configuration.LeaderElection;
        if (!election.LeaderElect)
        {
            await LeadAsync(client, pods, nodes, cancellationToken).ConfigureAwait(false);
            return;
        }

        await Campaign.RunAsync(
            _client!,
            new LeaderElectionConfig
            {
                LeaseNamespace = election.ResourceNamespace,
                LeaseName = election.ResourceName,
                Identity = options.Identity,
                LeaseDuration = election.LeaseDuration,
                RenewDeadline = election.RenewDeadline,
                RetryPeriod = election.RetryPeriod,
            },
            term => LeadAsync(client, pods, nodes, term),
            () => LogStoppedLeading(_logger, options.Identity),
            loggers,
            time,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task LeadAsync(
        ApiSchedulerClient client,
        SharedIndexInformer<V1Pod> pods,
        SharedIndexInformer<V1Node> nodes,
        CancellationToken term)
    {
        using var scheduler = new PodScheduler(options.Configuration, InTreePlugins.Registry, client, _events!, time);
        // Nodes first, so the pods already bound to them find their node in the cache.
        using var nodeHandler = nodes.AddEventHandler(new ResourceEventHandler<V1Node>(
            (node, _) => scheduler.OnNodeAdd(node),
            scheduler.OnNodeUpdate,
            (node, _) => scheduler.OnNodeDelete(node)));
        await nodeHandler.WaitForSyncAsync(term).ConfigureAwait(false);
        using var podHandler = pods.AddEventHandler(new ResourceEventHandler<V1Pod>(
            (pod, _) => scheduler.OnPodAdd(pod),
            scheduler.OnPodUpdate,
            (pod, _) => scheduler.OnPodDelete(pod)));
        await podHandler.WaitForSyncAsync(term).ConfigureAwait(false);

        _scheduler = scheduler;
        _leading = true;
        LogLeading(_logger, options.Identity, nodes.Indexer.Count, pods.Indexer.Count);
        try
        {
            await scheduler.RunAsync(term).ConfigureAwait(false);
        }
        finally
        {
            _leading = false;
            _scheduler = null;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _run.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _run.DisposeAsync().ConfigureAwait(false);
        foreach (var recorder in _recorders.Values)
        {
            await recorder.DisposeAsync().ConfigureAwait(false);
        }

        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        _client?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Identity} leads: scheduling with {Nodes} nodes and {Pods} pods in cache")]
    private static partial void LogLeading(ILogger logger, string identity, int nodes, int pods);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Identity} stopped leading")]
    private static partial void LogStoppedLeading(ILogger logger, string identity);
}
