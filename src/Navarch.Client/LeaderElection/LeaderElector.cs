using System.Net;
using System.Runtime.ExceptionServices;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Navarch.Client.LeaderElection;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, with client-go's <c>leaderelection</c> semantics: candidates try
/// every RetryPeriod to create the lease or take over one whose holder has not changed it for LeaseDuration (judged by
/// this process's clock from when it last saw the record change, never by another host's renewTime); the leader renews
/// every RetryPeriod and gives up when it cannot renew for RenewDeadline. Writes carry the read resourceVersion, so of two
/// candidates racing for one lease exactly one wins (the other gets 409 Conflict).
/// </summary>
public sealed partial class LeaderElector
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionConfig _config;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Random _random;
    private int _started;

    // Written only by the single RunAsync flow; read by IsLeader/CurrentLeader from other threads.
    private LeaseRecord? _observedRecord;
    private long _observedTimestamp;
    private volatile string? _currentLeader;
    private volatile bool _isLeader;
    private string? _reportedLeader;
    private Action<string>? _onNewLeader;

    public LeaderElector(IKubernetes client, LeaderElectionConfig config, ILoggerFactory loggerFactory, TimeProvider timeProvider, Random? random = null)
    {
        config.Validate();
        _client = client;
        _config = config;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<LeaderElector>();
        _random = random ?? Random.Shared;
    }

    public LeaderElectionConfig Config => _config;

    /// <summary>True while this candidate leads (from acquiring the lease until it stops leading).</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The holder identity last seen on the lease, or null before the first read or after a release.</summary>
    public string? CurrentLeader => _currentLeader;

    /// <summary>
    /// Campaigns until this candidate leads, then runs <paramref name="onStartedLeading"/> with a token that is cancelled
    /// when leadership ends. Leadership ends when <paramref name="cancellationToken"/> is cancelled, when renewal fails
    /// for RenewDeadline, when another holder is seen on the lease, or when <paramref name="onStartedLeading"/> returns.
    /// The callback is awaited before the lease is released (with ReleaseOnCancel) and before
    /// <paramref name="onStoppedLeading"/> runs, so a successor never overlaps with work that honours its token.
    /// <paramref name="onNewLeader"/> is called whenever a different holder (this one included) is first seen.
    /// Returns normally on cancellation and after losing leadership (a candidate does not campaign again, as in
    /// client-go; run a new elector for that). An exception from <paramref name="onStartedLeading"/> is rethrown after
    /// the lease is handled.
    /// </summary>
    public async Task RunAsync(
        Func<CancellationToken, Task> onStartedLeading,
        Action? onStoppedLeading = null,
        Action<string>? onNewLeader = null,
        CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A LeaderElector runs once; create a new one to campaign again.");
        }

        _onNewLeader = onNewLeader;
        try
        {
            await AcquireAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        LogAcquired(_config.LeaseNamespace, _config.LeaseName, _config.Identity);
        _isLeader = true;
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => onStartedLeading(leading.Token), CancellationToken.None);
        ExceptionDispatchInfo? failure = null;
        try
        {
            await RenewAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _isLeader = false;
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }

            if (_config.ReleaseOnCancel)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            LogStopped(_config.LeaseNamespace, _config.LeaseName, _config.Identity);
            onStoppedLeading?.Invoke();
        }

        failure?.Throw();
    }

    private async Task AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var timeout = new CancellationTokenSource(_config.RenewDeadline, _timeProvider);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                if (await TryAcquireOrRenewAsync(attempt.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The attempt timed out; try again after the retry period.
            }

            // As client-go's JitterUntil: candidates spread their attempts instead of hammering in step.
            var wait = _config.RetryPeriod * (1 + (_random.NextDouble() * LeaderElectionConfig.JitterFactor));
            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RenewAsync(Task work, CancellationToken cancellationToken)
    {
        while (!work.IsCompleted)
        {
            if (!await RenewWithinDeadlineAsync(cancellationToken).ConfigureAwait(false))
            {
                LogLost(_config.LeaseNamespace, _config.LeaseName, _config.Identity);
                return;
            }

            await Task.WhenAny(work, Task.Delay(_config.RetryPeriod, _timeProvider, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Retries renewal every RetryPeriod until it succeeds or RenewDeadline passes.</summary>
    private async Task<bool> RenewWithinDeadlineAsync(CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_config.RenewDeadline, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            while (true)
            {
                if (await TryAcquireOrRenewAsync(linked.Token).ConfigureAwait(false))
                {
                    return true;
                }

                // Stricter than client-go, which keeps retrying until the deadline: once another holder is on the
                // lease, this one has certainly lost it and should stop its work at once.
                if (_observedRecord is { } seen && !string.IsNullOrEmpty(seen.HolderIdentity) && seen.HolderIdentity != _config.Identity)
                {
                    return false;
                }

                await Task.Delay(_config.RetryPeriod, _timeProvider, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>One step of client-go's <c>tryAcquireOrRenew</c>.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        V1Lease lease;
        try
        {
            lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_config.LeaseName, _config.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return await CreateAsync(now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRequestFailed(e, "get", _config.LeaseNamespace, _config.LeaseName);
            return false;
        }

        var old = LeaseRecord.From(lease.Spec);
        if (old != _observedRecord)
        {
            Observe(lease);
        }

        if (!string.IsNullOrEmpty(old.HolderIdentity)
            && old.HolderIdentity != _config.Identity
            && _timeProvider.GetElapsedTime(_observedTimestamp) < _config.LeaseDuration)
        {
            return false;
        }

        var wasHolder = old.HolderIdentity == _config.Identity;
        lease.Spec = new LeaseRecord(
            _config.Identity,
            LeaseDurationSeconds(),
            wasHolder ? old.AcquireTime ?? now : now,
            now,
            wasHolder ? old.LeaseTransitions : old.LeaseTransitions + 1).ToSpec();
        try
        {
            var updated = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _config.LeaseName, _config.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            Observe(updated);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Someone else wrote the lease since we read it; the next read shows who.
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRequestFailed(e, "update", _config.LeaseNamespace, _config.LeaseName);
            return false;
        }
    }

    private async Task<bool> CreateAsync(DateTime now, CancellationToken cancellationToken)
    {
        var lease = new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta { Name = _config.LeaseName, NamespaceProperty = _config.LeaseNamespace },
            Spec = new LeaseRecord(_config.Identity, LeaseDurationSeconds(), now, now, 0).ToSpec(),
        };
        try
        {
            var created = await _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, _config.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            Observe(created);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Another candidate created it first.
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRequestFailed(e, "create", _config.LeaseNamespace, _config.LeaseName);
            return false;
        }
    }

    /// <summary>
    /// Clears the holder so a peer need not wait out the lease, as client-go's <c>release</c>: holderIdentity empty and
    /// leaseDurationSeconds 1. Unlike client-go it reads the lease first instead of trusting the last observed version:
    /// a renewal cut short by cancellation may have been applied without this process seeing the new resourceVersion.
    /// The write still carries the read resourceVersion, so a lease taken over meanwhile is left alone.
    /// </summary>
    private async Task ReleaseAsync()
    {
        if (_observedRecord is not { } observed || observed.HolderIdentity != _config.Identity)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_config.RenewDeadline, _timeProvider);
        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_config.LeaseName, _config.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
                var current = LeaseRecord.From(lease.Spec);
                if (current.HolderIdentity != _config.Identity)
                {
                    return;
                }

                var now = _timeProvider.GetUtcNow().UtcDateTime;
                lease.Spec = new LeaseRecord(string.Empty, 1, now, now, current.LeaseTransitions).ToSpec();
                try
                {
                    var released = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _config.LeaseName, _config.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
                    Observe(released);
                    LogReleased(_config.LeaseNamespace, _config.LeaseName, _config.Identity);
                    return;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    // Changed between our read and write (a renewal still landing); read again.
                }
            }
        }
        catch (Exception e)
        {
            // The lease then simply expires after LeaseDuration.
            LogRequestFailed(e, "release", _config.LeaseNamespace, _config.LeaseName);
        }
    }

    private void Observe(V1Lease lease)
    {
        _observedRecord = LeaseRecord.From(lease.Spec);
        _observedTimestamp = _timeProvider.GetTimestamp();
        var holder = _observedRecord.HolderIdentity;
        _currentLeader = string.IsNullOrEmpty(holder) ? null : holder;
        if (!string.IsNullOrEmpty(holder) && holder != _reportedLeader)
        {
            _reportedLeader = holder;
            LogNewLeader(_config.LeaseNamespace, _config.LeaseName, holder);
            try
            {
                _onNewLeader?.Invoke(holder);
            }
            catch (Exception e)
            {
                // A notification callback must not end the campaign or the leadership.
                LogCallbackFailed(e, holder);
            }
        }
    }

    // The lease stores whole seconds; client-go truncates too, but a lease of 0 s would read as no lease at all.
    private int LeaseDurationSeconds() => Math.Max(1, (int)_config.LeaseDuration.TotalSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Successfully acquired lease {Namespace}/{Name} as {Identity}")]
    private partial void LogAcquired(string @namespace, string name, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Failed to renew lease {Namespace}/{Name} as {Identity}: leadership lost")]
    private partial void LogLost(string @namespace, string name, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped leading lease {Namespace}/{Name} as {Identity}")]
    private partial void LogStopped(string @namespace, string name, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released lease {Namespace}/{Name} as {Identity}")]
    private partial void LogReleased(string @namespace, string name, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "New leader of lease {Namespace}/{Name} elected: {Holder}")]
    private partial void LogNewLeader(string @namespace, string name, string holder);

    [LoggerMessage(Level = LogLevel.Error, Message = "The new-leader callback failed for {Holder}")]
    private partial void LogCallbackFailed(Exception exception, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election could not {Verb} lease {Namespace}/{Name}")]
    private partial void LogRequestFailed(Exception exception, string verb, string @namespace, string name);
}
