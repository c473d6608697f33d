using System.Globalization;
using System.Text;
using k8s;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Hosting;
using Navarch.Client.Informers;
using Navarch.Client.LeaderElection;
using Navarch.Client.Serving;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Hosting;

/// <summary>
/// The controller manager as a hosted service, as kube-controller-manager: campaigns for the
/// <c>kube-system/kube-controller-manager</c> Lease, and while it leads runs every enabled controller on one set
/// of shared informers. Each term builds fresh controllers, so a re-elected instance starts from the cluster's
/// current state.
/// </summary>
public sealed partial class ControllerManagerHost(
    ControllerManagerHostOptions options,
    IReadOnlyList<ControllerDescriptor> controllers,
    Func<ClientRateLimit, IKubernetes> clientFactory,
    ILoggerFactory loggers,
    TimeProvider time) : IHostedService, IComponentHealth, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<ControllerManagerHost>();
    private readonly ComponentRun _run = new();
    private readonly Dictionary<string, EventRecorder> _recorders = new(StringComparer.Ordinal);
    private IKubernetes? _client;
    private SharedInformerFactory? _informers;
    private ComponentServer? _server;
    private volatile bool _leading;
    private volatile IReadOnlyList<IController> _active = [];
    private int _disposed;

    public bool IsLeader => _leading;

    /// <summary>The controllers of the current leadership term.</summary>
    public IReadOnlyList<IController> ActiveControllers => _active;

    public Uri? HealthUrl => _server?.Url;

    public IReadOnlyList<(string Name, Func<bool> Check)> HealthChecks => [("ping", static () => true)];

    public void RenderMetrics(StringBuilder text)
    {
        text.Append("# HELP leader_election_master_status Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.\n");
        text.Append("# TYPE leader_election_master_status gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"leader_election_master_status{{name=\"{options.LeaseName}\"}} {(_leading ? 1 : 0)}\n");
        text.Append("# HELP navarch_controllers_running Controllers running in this term.\n");
        text.Append("# TYPE navarch_controllers_running gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"navarch_controllers_running {_active.Count}\n");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _client = clientFactory(options.RateLimit);
        _informers = new SharedInformerFactory(_client, loggers, time);
        _server = new ComponentServer(options.Serving, this, loggers, time);
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        _run.Start(_informers, RunAsync);
    }

    private Task RunAsync(CancellationToken cancellationToken) => !options.LeaderElect
        ? LeadAsync(cancellationToken)
        : Campaign.RunAsync(
            _client!,
            new LeaderElectionConfig
            {
                LeaseNamespace = "kube-system",
                LeaseName = options.LeaseName,
                Identity = options.Identity,
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            },
            LeadAsync,
            onStoppedLeading: null,
            loggers,
            time,
            cancellationToken);

    private async Task LeadAsync(CancellationToken term)
    {
        var context = new ControllerContext(_client!, _informers!, Recorder, options.Controllers, loggers, time);
        var built = new List<IController>();
        try
        {
            foreach (var descriptor in controllers)
            {
                if (options.Controllers.IsEnabled(descriptor.Name) && descriptor.Create(context) is { } controller)
                {
                    built.Add(controller);
                }
            }

            _informers!.Start(_run.Stopping);
            await _informers.WaitForCacheSyncAsync(term).ConfigureAwait(false);
            _active = built;
            _leading = true;
            LogLeading(_logger, options.Identity, built.Count);
            var runs = new Task[built.Count];
            for (var i = 0; i < built.Count; i++)
            {
                runs[i] = built[i].RunAsync(term);
            }

            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        finally
        {
            _leading = false;
            _active = [];
            foreach (var controller in built)
            {
                controller.Dispose();
            }
        }
    }

    private EventRecorder Recorder(string component)
    {
        lock (_recorders)
        {
            if (_recorders.TryGetValue(component, out var existing)) return existing;
            var recorder = new EventRecorder(_client!, component, Environment.MachineName, loggers, time);
            // Completes at once: it only starts the recorder's writer loop.
            _ = recorder.StartAsync(CancellationToken.None);
            _recorders[component] = recorder;
            return recorder;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _run.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _run.DisposeAsync().ConfigureAwait(false);
        List<EventRecorder> recorders;
        lock (_recorders) recorders = [.. _recorders.Values];
        foreach (var recorder in recorders)
        {
            await recorder.DisposeAsync().ConfigureAwait(false);
        }

        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        _client?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller manager {Identity} leads: running {Count} controllers")]
    private static partial void LogLeading(ILogger logger, string identity, int count);
}
