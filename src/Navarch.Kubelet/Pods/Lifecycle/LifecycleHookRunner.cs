using k8s.Models;
using Navarch.Kubelet.Pods.Probes;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>
/// Runs a container's postStart or preStop handler (exec, httpGet or sleep), as the kubelet's handlerRunner: the result
/// is null on success, or the kubelet's message for the FailedPostStartHook / FailedPreStopHook event.
/// </summary>
public sealed class LifecycleHookRunner(ProbeActions actions, TimeProvider time)
{
    public async Task<string?> RunAsync(V1LifecycleHandler handler, ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(target);
        var pod = PodFormat.Of(target.Pod);
        if (handler.Exec is { } exec)
        {
            var command = exec.Command ?? [];
            var result = await actions.ExecAsync(target, command, timeout, cancellationToken).ConfigureAwait(false);
            return result.Outcome == ProbeOutcome.Success
                ? null
                : $"Exec lifecycle hook ([{string.Join(' ', command)}]) for Container \"{target.Container.Name}\" in Pod \"{pod}\" failed - error: command '{string.Join(' ', command)}' exited with {result.ExitCode}: , message: \"{result.Message}\"";
        }

        if (handler.HttpGet is { } httpGet)
        {
            var result = await actions.HttpGetAsync(target, httpGet, timeout, cancellationToken).ConfigureAwait(false);
            return result.Outcome == ProbeOutcome.Success
                ? null
                : $"HTTP lifecycle hook ({httpGet.Path}) for Container \"{target.Container.Name}\" in Pod \"{pod}\" failed - error: {result.Message}";
        }

        if (handler.Sleep is { } sleep)
        {
            var duration = TimeSpan.FromSeconds(Math.Max(0, sleep.Seconds));
            await Task.Delay(duration < timeout ? duration : timeout, time, cancellationToken).ConfigureAwait(false);
            return null;
        }

        // tcpSocket is deprecated for hooks and, as in the kubelet, does nothing.
        return null;
    }
}
