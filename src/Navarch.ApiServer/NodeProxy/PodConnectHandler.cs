using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Handlers;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// The pod subresources served by the pod's kubelet: <c>log</c> (GET), <c>exec</c> and <c>attach</c> (GET/POST with
/// Upgrade) and <c>portforward</c> (GET/POST with Upgrade). Finds the container and the node as kube-apiserver's pod
/// strategy does, then forwards to the kubelet's <c>/containerLogs</c>, <c>/exec</c>, <c>/attach</c> and
/// <c>/portForward</c> paths.
/// </summary>
internal sealed class PodConnectHandler(ResourceRegistry registry, ObjectRepository repository, LogProxy logs, UpgradeProxy upgrades)
{
    /// <summary>The subresources this handler serves.</summary>
    public static readonly IReadOnlyList<string> Subresources = ["log", "exec", "attach", "portforward"];

    public Task HandleAsync(RequestContext request) => (request.Info.Subresource, request.Http.Request.Method) switch
    {
        ("log", "GET") => LogAsync(request),
        ("exec" or "attach", "GET" or "POST") => StreamAsync(request),
        ("portforward", "GET" or "POST") => PortForwardAsync(request),
        var (sub, method) => throw ApiException.MethodNotSupported("", $"pods/{sub}", method.ToLowerInvariant()),
    };

    private async Task LogAsync(RequestContext request)
    {
        var http = request.Http;
        var name = request.Info.Name!;
        var options = LogRequestOptions.Parse(http.Request.Query, name);
        var pod = await GetPodAsync(request).ConfigureAwait(false);
        var container = PodContainers.Choose(pod, options.Container);
        if (string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            // As kube-apiserver's LogLocation: a pod not yet on a node has no log; the answer is empty.
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "text/plain";
            return;
        }

        var endpoint = await ResolveNodeAsync(pod.Spec.NodeName, request.Cancellation).ConfigureAwait(false);
        var path = $"/containerLogs/{Escape(pod.Metadata.NamespaceProperty)}/{Escape(name)}/{Escape(container)}{options.ToKubeletQuery()}";
        await logs.ProxyAsync(http, endpoint, path, options.Follow, name).ConfigureAwait(false);
    }

    private async Task StreamAsync(RequestContext request)
    {
        var name = request.Info.Name!;
        var options = StreamRequestOptions.Parse(request.Http.Request.Query);
        var pod = await GetPodAsync(request).ConfigureAwait(false);
        var container = PodContainers.Choose(pod, options.Container);
        var endpoint = await ResolveAssignedNodeAsync(pod, request.Cancellation).ConfigureAwait(false);
        var sub = request.Info.Subresource!;
        var path = $"/{sub}/{Escape(pod.Metadata.NamespaceProperty)}/{Escape(name)}/{Escape(container)}{options.ToKubeletStreamQuery(includeCommand: sub == "exec")}";
        await upgrades.ProxyAsync(request.Http, endpoint, path).ConfigureAwait(false);
    }

    private async Task PortForwardAsync(RequestContext request)
    {
        var name = request.Info.Name!;
        var options = StreamRequestOptions.Parse(request.Http.Request.Query);
        var pod = await GetPodAsync(request).ConfigureAwait(false);
        var endpoint = await ResolveAssignedNodeAsync(pod, request.Cancellation).ConfigureAwait(false);
        var path = $"/portForward/{Escape(pod.Metadata.NamespaceProperty)}/{Escape(name)}{options.ToKubeletPortForwardQuery()}";
        await upgrades.ProxyAsync(request.Http, endpoint, path).ConfigureAwait(false);
    }

    private async Task<V1Pod> GetPodAsync(RequestContext request)
    {
        var info = request.Info;
        var obj = await repository.GetRequiredAsync(info.Definition, info.Definition.Key(info.Namespace, info.Name!), info.Name!, request.Cancellation)
            .ConfigureAwait(false);
        return (V1Pod)obj;
    }

    private Task<KubeletEndpoint> ResolveAssignedNodeAsync(V1Pod pod, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(pod.Spec?.NodeName)
            ? throw ApiException.BadRequest($"pod {pod.Metadata.Name} does not have a host assigned")
            : ResolveNodeAsync(pod.Spec.NodeName, cancellationToken);

    private async Task<KubeletEndpoint> ResolveNodeAsync(string nodeName, CancellationToken cancellationToken)
    {
        var nodes = registry.Find("", "v1", "nodes") ?? throw ApiException.Internal("nodes are not served");
        var node = (V1Node)await repository.GetRequiredAsync(nodes, nodes.Key(null, nodeName), nodeName, cancellationToken).ConfigureAwait(false);
        return KubeletEndpointResolver.Resolve(node);
    }

    private static string Escape(string? segment) => Uri.EscapeDataString(segment ?? "");
}
