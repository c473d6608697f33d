using k8s.Models;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>Which container of a pod a log or stream request addresses, with kube-apiserver's errors.</summary>
internal static class PodContainers
{
    /// <summary>The annotation kubectl reads for the container to use when none is named.</summary>
    public const string DefaultContainerAnnotation = "kubectl.kubernetes.io/default-container";

    /// <summary>
    /// <paramref name="requested"/> when the pod has it; otherwise the only container, or the one the
    /// default-container annotation names.
    /// </summary>
    /// <exception cref="ApiException">400 when none can be chosen or the named one is not in the pod.</exception>
    public static string Choose(V1Pod pod, string? requested)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var name = pod.Metadata.Name;
        var containers = pod.Spec?.Containers ?? [];
        if (!string.IsNullOrEmpty(requested))
        {
            return AllNames(pod).Contains(requested, StringComparer.Ordinal)
                ? requested
                : throw ApiException.BadRequest($"container {requested} is not valid for pod {name}");
        }

        if (containers.Count == 1)
        {
            return containers[0].Name;
        }

        if (pod.Metadata.Annotations?.TryGetValue(DefaultContainerAnnotation, out var annotated) == true
            && containers.Any(c => c.Name == annotated))
        {
            return annotated;
        }

        if (containers.Count == 0)
        {
            throw ApiException.BadRequest($"a container name must be specified for pod {name}");
        }

        var message = $"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers.Select(c => c.Name))}]";
        if (pod.Spec?.InitContainers is { Count: > 0 } init)
        {
            message += $" or one of the init containers: [{string.Join(" ", init.Select(c => c.Name))}]";
        }

        throw ApiException.BadRequest(message);
    }

    private static IEnumerable<string> AllNames(V1Pod pod) =>
        (pod.Spec?.Containers ?? []).Select(c => c.Name)
            .Concat((pod.Spec?.InitContainers ?? []).Select(c => c.Name))
            .Concat((pod.Spec?.EphemeralContainers ?? []).Select(c => c.Name));
}
