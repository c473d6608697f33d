using Microsoft.AspNetCore.Http;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Server;

/// <summary>
/// <c>/exec</c>, <c>/attach</c> and <c>/portForward</c>: finds the container or sandbox, asks the runtime for a streaming
/// URL with the query's options (the kubelet's <c>input</c>, <c>output</c>, <c>error</c>, <c>tty</c>, <c>command</c>), and
/// proxies the client's upgraded connection to it.
/// </summary>
internal sealed class StreamingHandler(CriClient cri, PodContainerLocator locator)
{
    public async Task ExecAsync(HttpContext context, string ns, string pod, string container)
    {
        var cancellationToken = context.RequestAborted;
        if (await StreamOptionsAsync(context) is not { } options) return;
        var command = context.Request.Query["command"].Where(part => part is not null).Select(part => part!).ToArray();
        if (command.Length == 0)
        {
            await KubeletStatus.WriteAsync(context, StatusCodes.Status400BadRequest, "you must specify at least one command for the container", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (await RunningContainerAsync(context, ns, pod, container) is not { } id) return;
        var url = await cri.ExecAsync(id, command, options.Tty, options.Stdin, options.Stdout, options.Stderr, cancellationToken).ConfigureAwait(false);
        await StreamingProxy.ProxyAsync(context, url, cancellationToken).ConfigureAwait(false);
    }

    public async Task AttachAsync(HttpContext context, string ns, string pod, string container)
    {
        var cancellationToken = context.RequestAborted;
        if (await StreamOptionsAsync(context) is not { } options) return;
        if (await RunningContainerAsync(context, ns, pod, container) is not { } id) return;
        var url = await cri.AttachAsync(id, options.Tty, options.Stdin, options.Stdout, options.Stderr, cancellationToken).ConfigureAwait(false);
        await StreamingProxy.ProxyAsync(context, url, cancellationToken).ConfigureAwait(false);
    }

    public async Task PortForwardAsync(HttpContext context, string ns, string pod)
    {
        var cancellationToken = context.RequestAborted;
        var sandbox = await locator.FindSandboxAsync(ns, pod, cancellationToken).ConfigureAwait(false);
        if (sandbox is null || sandbox.State != PodSandboxState.SandboxReady)
        {
            await KubeletStatus.WriteAsync(context, StatusCodes.Status404NotFound, $"pod \"{pod}\" does not exist", cancellationToken).ConfigureAwait(false);
            return;
        }

        // As the kubelet's V4Options: a WebSocket client names its ports in the query and the runtime's streaming
        // server takes them from the CRI request; SPDY clients send none here and name each port in its stream's headers.
        var ports = new List<int>();
        foreach (var text in context.Request.Query["port"])
        {
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535)
            {
                await KubeletStatus.WriteAsync(context, StatusCodes.Status400BadRequest, $"unable to parse \"{text}\" as a port: invalid port", cancellationToken).ConfigureAwait(false);
                return;
            }

            ports.Add(port);
        }

        var url = await cri.PortForwardAsync(sandbox.Id, ports, cancellationToken).ConfigureAwait(false);
        await StreamingProxy.ProxyAsync(context, url, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<StreamOptions?> StreamOptionsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var tty = Flag(query, "tty");
        var options = new StreamOptions(
            Flag(query, "input") || Flag(query, "stdin"),
            Flag(query, "output") || Flag(query, "stdout"),
            // As the kubelet: a terminal merges stderr into stdout.
            !tty && (Flag(query, "error") || Flag(query, "stderr")),
            tty);
        if (!options.Stdin && !options.Stdout && !options.Stderr)
        {
            await KubeletStatus.WriteAsync(context, StatusCodes.Status400BadRequest, "you must specify at least 1 of stdin, stdout, stderr", context.RequestAborted).ConfigureAwait(false);
            return null;
        }

        return options;
    }

    private async Task<string?> RunningContainerAsync(HttpContext context, string ns, string pod, string container)
    {
        var cancellationToken = context.RequestAborted;
        var sandbox = await locator.FindSandboxAsync(ns, pod, cancellationToken).ConfigureAwait(false);
        if (sandbox is null)
        {
            await KubeletStatus.WriteAsync(context, StatusCodes.Status404NotFound, $"pod \"{pod}\" does not exist", cancellationToken).ConfigureAwait(false);
            return null;
        }

        var attempts = await locator.ListAttemptsAsync(sandbox, container, cancellationToken).ConfigureAwait(false);
        if (attempts.Count == 0 || attempts[^1].State != ContainerState.ContainerRunning)
        {
            // The kubelet's words when the running pod has no such container.
            await KubeletStatus.WriteAsync(context, StatusCodes.Status404NotFound, $"container not found (\"{container}\")", cancellationToken).ConfigureAwait(false);
            return null;
        }

        return attempts[^1].Id;
    }

    private static bool Flag(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var value) && (value == "1" || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase));

    private sealed record StreamOptions(bool Stdin, bool Stdout, bool Stderr, bool Tty);
}
