using k8s.Models;

namespace Navarch.Kubelet.Pods;

/// <summary>The pod's QoS class, computed as Kubernetes' GetPodQOS does from cpu and memory requests and limits.</summary>
public static class QosClass
{
    public const string Guaranteed = "Guaranteed";
    public const string Burstable = "Burstable";
    public const string BestEffort = "BestEffort";

    private static readonly string[] ComputeResources = ["cpu", "memory"];

    public static string Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var containers = (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []).ToList();
        var any = false;
        var guaranteed = true;
        foreach (var container in containers)
        {
            var requests = container.Resources?.Requests;
            var limits = container.Resources?.Limits;
            foreach (var resource in ComputeResources)
            {
                var request = Quantity(requests, resource);
                var limit = Quantity(limits, resource);
                any |= request is > 0 || limit is > 0;
                // A missing request defaults to the limit, so only a missing limit or a differing request breaks Guaranteed.
                if (limit is null or 0 || (request is not null && request != limit))
                {
                    guaranteed = false;
                }
            }
        }

        return !any ? BestEffort : guaranteed ? Guaranteed : Burstable;
    }

    private static decimal? Quantity(IDictionary<string, ResourceQuantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var quantity) ? quantity.ToDecimal() : null;
}
