using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Runtime;

public sealed partial class FrameworkRuntime
{
    /// <summary>Runs Reserve plugins in order; the caller runs <see cref="RunReservePluginsUnreserve"/> when one fails.</summary>
    public Status RunReservePluginsReserve(CycleState state, V1Pod pod, string nodeName)
    {
        foreach (var plugin in ReservePlugins)
        {
            Status status;
            try
            {
                status = plugin.Reserve(state, pod, nodeName);
            }
            catch (Exception e)
            {
                status = Status.AsError(e);
            }

            if (status.IsSuccess) continue;
            return status.IsRejected ? status.WithPlugin(plugin.Name) : WrapError("Reserve", plugin.Name, status);
        }

        return Status.Success;
    }

    /// <summary>Calls Unreserve on every Reserve plugin in reverse order, as kube-scheduler does.</summary>
    public void RunReservePluginsUnreserve(CycleState state, V1Pod pod, string nodeName)
    {
        for (var i = ReservePlugins.Count - 1; i >= 0; i--)
        {
            try
            {
                ReservePlugins[i].Unreserve(state, pod, nodeName);
            }
            catch (Exception)
            {
                // Unreserve is best effort: one plugin's failure must not keep the others from releasing their claims.
            }
        }
    }

    /// <summary>
    /// Runs Permit plugins. A rejection or error returns at once; when some ask to wait (and none rejects) the pod
    /// becomes a <see cref="WaitingPod"/> and the result is Wait; <see cref="WaitOnPermitAsync"/> awaits it.
    /// </summary>
    public Status RunPermitPlugins(CycleState state, V1Pod pod, string nodeName)
    {
        Dictionary<string, TimeSpan>? waits = null;
        foreach (var plugin in PermitPlugins)
        {
            Status status;
            TimeSpan timeout;
            try
            {
                (status, timeout) = plugin.Permit(state, pod, nodeName);
            }
            catch (Exception e)
            {
                (status, timeout) = (Status.AsError(e), TimeSpan.Zero);
            }

            if (status.IsSuccess) continue;
            if (status.IsRejected) return status.WithPlugin(plugin.Name);
            if (status.Code == StatusCode.Wait)
            {
                (waits ??= new(StringComparer.Ordinal))[plugin.Name] = timeout > MaxPermitTimeout ? MaxPermitTimeout : timeout;
                continue;
            }

            return WrapError("Permit", plugin.Name, status);
        }

        if (waits is null) return Status.Success;
        var uid = pod.Metadata?.Uid ?? string.Empty;
        _waitingPods[uid] = new WaitingPod(pod, waits, Time);
        return Status.Create(StatusCode.Wait, $"one or more plugins asked to wait and no plugin rejected pod \"{pod.Metadata?.Name}\"");
    }

    /// <summary>Waits until every waiting Permit plugin allows the pod, one rejects it, or a timeout rejects it.</summary>
    public async Task<Status> WaitOnPermitAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata?.Uid ?? string.Empty;
        if (!_waitingPods.TryGetValue(uid, out var waiting)) return Status.Success;
        try
        {
            return await waiting.Result.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _waitingPods.TryRemove(uid, out _);
            waiting.Dispose();
        }
    }

    /// <summary>The waiting pod with this UID, for plugins (e.g. gang scheduling) that allow or reject it.</summary>
    public WaitingPod? GetWaitingPod(string uid) => _waitingPods.TryGetValue(uid, out var pod) ? pod : null;

    /// <summary>Rejects a waiting pod (e.g. it was deleted); false when none waits with this UID.</summary>
    public bool RejectWaitingPod(string uid)
    {
        if (!_waitingPods.TryGetValue(uid, out var pod)) return false;
        foreach (var plugin in pod.PendingPlugins)
        {
            pod.Reject(plugin, "removed");
            return true;
        }

        pod.Reject(string.Empty, "removed");
        return true;
    }

    public async Task<Status> RunPreBindPluginsAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        foreach (var plugin in PreBindPlugins)
        {
            Status status;
            try
            {
                status = await plugin.PreBindAsync(state, pod, nodeName, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                status = Status.AsError(e);
            }

            if (status.IsSuccess) continue;
            return status.IsRejected ? status.WithPlugin(plugin.Name) : WrapError("PreBind", plugin.Name, status);
        }

        return Status.Success;
    }

    /// <summary>Runs Bind plugins until one does not Skip; Skip when every binder skipped.</summary>
    public async Task<Status> RunBindPluginsAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        foreach (var plugin in BindPlugins)
        {
            Status status;
            try
            {
                status = await plugin.BindAsync(state, pod, nodeName, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                status = Status.AsError(e);
            }

            if (status.IsSkip) continue;
            if (status.IsSuccess) return status;
            return status.IsRejected ? status.WithPlugin(plugin.Name) : WrapError("Bind", plugin.Name, status);
        }

        return Status.Skip;
    }

    /// <summary>Informs PostBind plugins; their failures cannot undo the binding and are ignored.</summary>
    public void RunPostBindPlugins(CycleState state, V1Pod pod, string nodeName)
    {
        foreach (var plugin in PostBindPlugins)
        {
            try
            {
                plugin.PostBind(state, pod, nodeName);
            }
            catch (Exception)
            {
                // PostBind is informational; the pod is bound whatever a plugin thinks of it.
            }
        }
    }
}
