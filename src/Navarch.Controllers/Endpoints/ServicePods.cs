using System.Globalization;
using System.Net.Sockets;
using k8s.Models;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Endpoints;

/// <summary>
/// What the Endpoints and EndpointSlice controllers share: which services select a pod, whether a pod belongs in
/// endpoints, and how a service port resolves against a pod (Kubernetes' endpoint util and podutil.FindPort).
/// </summary>
internal static class ServicePods
{
    /// <summary>The annotation with the time of the oldest change the object reflects, for latency SLOs.</summary>
    public const string LastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";

    /// <summary>The label Kubernetes puts on endpoints of a headless service.</summary>
    public const string HeadlessLabel = "service.kubernetes.io/headless";

    /// <summary>The service's selector, or null when it has none (its endpoints are someone else's business).</summary>
    public static IDictionary<string, string>? SelectorOf(V1Service service) =>
        service.Spec?.Selector is { Count: > 0 } selector ? selector : null;

    /// <summary>True when the pod's labels have every key and value of the selector.</summary>
    public static bool Selects(IDictionary<string, string> selector, IDictionary<string, string>? labels)
    {
        if (labels is null) return false;
        foreach (var (key, value) in selector)
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
        }

        return true;
    }

    /// <summary>The keys of the services in the pod's namespace whose selector matches its labels (GetPodServiceMemberships).</summary>
    public static void AddServiceKeys(Indexer<V1Service> services, V1Pod pod, HashSet<string> keys)
    {
        var ns = pod.Metadata?.NamespaceProperty;
        if (string.IsNullOrEmpty(ns)) return;
        foreach (var service in services.ByIndex(Indexer<V1Service>.NamespaceIndex, ns))
        {
            if (SelectorOf(service) is { } selector && Selects(selector, pod.Metadata!.Labels)) keys.Add(ObjectKeys.KeyOf(service));
        }
    }

    /// <summary>The services to sync after a pod changed: none when nothing endpoints show changed (as podEndpointsChanged).</summary>
    public static HashSet<string> ServicesToSync(Indexer<V1Service> services, V1Pod? old, V1Pod? pod)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (old is not null && pod is not null && !EndpointsChanged(old, pod)) return keys;
        if (pod is not null) AddServiceKeys(services, pod, keys);
        if (old is not null && (pod is null || !SameLabels(old.Metadata.Labels, pod.Metadata.Labels))) AddServiceKeys(services, old, keys);
        return keys;
    }

    private static bool EndpointsChanged(V1Pod old, V1Pod pod)
    {
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion) return false;
        if (!SameLabels(old.Metadata.Labels, pod.Metadata.Labels)) return true;
        if ((old.Metadata.DeletionTimestamp is null) != (pod.Metadata.DeletionTimestamp is null)) return true;
        if (PodConditions.IsReady(old) != PodConditions.IsReady(pod)) return true;
        if (old.Status?.PodIP != pod.Status?.PodIP || old.Status?.Phase != pod.Status?.Phase) return true;
        if (old.Status?.PodIPs?.Count != pod.Status?.PodIPs?.Count) return true;
        if (old.Spec?.NodeName != pod.Spec?.NodeName || old.Spec?.Hostname != pod.Spec?.Hostname || old.Spec?.Subdomain != pod.Spec?.Subdomain) return true;
        return false;
    }

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value) return false;
        }

        return true;
    }

    /// <summary>
    /// Whether a pod appears in endpoints at all, as ShouldPodBeInEndpoints: it has an IP and has not finished;
    /// a terminating pod only when <paramref name="includeTerminating"/>.
    /// </summary>
    public static bool ShouldBeInEndpoints(V1Pod pod, bool includeTerminating)
    {
        if (PodConditions.IsTerminal(pod)) return false;
        if (string.IsNullOrEmpty(pod.Status?.PodIP) && pod.Status?.PodIPs is not { Count: > 0 }) return false;
        return includeTerminating || pod.Metadata.DeletionTimestamp is null;
    }

    /// <summary>The pod's hostname for the service's DNS records when its subdomain is the service's name (ShouldSetHostname).</summary>
    public static string? HostnameFor(V1Pod pod, V1Service service) =>
        !string.IsNullOrEmpty(pod.Spec?.Hostname) && pod.Spec.Subdomain == service.Metadata.Name
            && pod.Metadata.NamespaceProperty == service.Metadata.NamespaceProperty ? pod.Spec.Hostname : null;

    /// <summary>The pod's IP of <paramref name="family"/> ("IPv4" or "IPv6"), or null.</summary>
    public static string? IpOf(V1Pod pod, string family)
    {
        var wanted = family == "IPv6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (pod.Status?.PodIPs is { Count: > 0 } ips)
        {
            foreach (var ip in ips)
            {
                if (System.Net.IPAddress.TryParse(ip.Ip, out var parsed) && parsed.AddressFamily == wanted) return ip.Ip;
            }

            return null;
        }

        return System.Net.IPAddress.TryParse(pod.Status?.PodIP, out var single) && single.AddressFamily == wanted ? pod.Status!.PodIP : null;
    }

    /// <summary>The service's IP families (IPv4 when none is set).</summary>
    public static IList<string> FamiliesOf(V1Service service) =>
        service.Spec?.IpFamilies is { Count: > 0 } families ? families : ["IPv4"];

    /// <summary>
    /// The pod's port for a service port, as podutil.FindPort: a named targetPort is looked up among the pod's
    /// container ports of the same protocol; a number is used as is; none means the service's port. Null when a
    /// name is not found (the pod is left out of that port).
    /// </summary>
    public static int? FindPort(V1Pod pod, V1ServicePort servicePort)
    {
        var target = servicePort.TargetPort?.Value;
        if (string.IsNullOrEmpty(target)) return servicePort.Port;
        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return number;
        var protocol = servicePort.Protocol ?? "TCP";
        foreach (var container in pod.Spec?.Containers ?? [])
        {
            foreach (var port in container.Ports ?? [])
            {
                if (port.Name == target && (port.Protocol ?? "TCP") == protocol) return port.ContainerPort;
            }
        }

        return null;
    }

    /// <summary>When a pod last changed in a way endpoints show: its Ready transition, else its creation.</summary>
    public static DateTime? TriggerTimeOf(V1Pod pod) =>
        PodConditions.Get(pod, "Ready")?.LastTransitionTime ?? pod.Metadata.CreationTimestamp;
}
