using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// A pod's quality-of-service class, computed as Kubernetes' qos.GetPodQOS does from cpu and memory requests and
/// limits over init and app containers. A container's missing request counts as its limit, since Pod defaulting
/// copies limits into requests before Kubernetes computes the class.
/// </summary>
internal static class PodQos
{
    public const string Guaranteed = "Guaranteed";
    public const string Burstable = "Burstable";
    public const string BestEffort = "BestEffort";

    private static readonly string[] ComputeResources = ["cpu", "memory"];

    public static string Compute(V1PodSpec? spec)
    {
        var requests = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var guaranteed = true;
        foreach (var container in (spec?.InitContainers ?? []).Concat(spec?.Containers ?? []))
        {
            var containerLimits = container.Resources?.Limits;
            var containerRequests = container.Resources?.Requests;
            var limitsFound = 0;
            foreach (var name in ComputeResources)
            {
                ResourceQuantity? request = null;
                if (containerRequests?.TryGetValue(name, out var r) == true)
                {
                    request = r;
                }
                else if (containerLimits?.TryGetValue(name, out var l) == true)
                {
                    request = l;
                }

                if (request is not null && request.ToDecimal() > 0)
                {
                    requests[name] = requests.GetValueOrDefault(name) + request.ToDecimal();
                }

                if (containerLimits?.TryGetValue(name, out var limit) == true && limit.ToDecimal() > 0)
                {
                    limits[name] = limits.GetValueOrDefault(name) + limit.ToDecimal();
                    limitsFound++;
                }
            }

            if (limitsFound < ComputeResources.Length)
            {
                guaranteed = false;
            }
        }

        if (requests.Count == 0 && limits.Count == 0)
        {
            return BestEffort;
        }

        if (guaranteed)
        {
            foreach (var (name, request) in requests)
            {
                if (!limits.TryGetValue(name, out var limit) || limit != request)
                {
                    guaranteed = false;
                    break;
                }
            }
        }

        return guaranteed && requests.Count == limits.Count ? Guaranteed : Burstable;
    }
}
