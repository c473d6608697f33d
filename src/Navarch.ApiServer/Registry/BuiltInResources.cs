using k8s.Models;
using Navarch.ApiServer.Printing;
using Navarch.ApiServer.Registry.Allocation;
using Navarch.ApiServer.Registry.Kinds;

namespace Navarch.ApiServer.Registry;

/// <summary>The kinds this API server serves, with the names, scopes and categories Kubernetes gives them.</summary>
internal static class BuiltInResources
{
    private static readonly string[] All = ["all"];

    /// <summary>Every built-in kind; Services draw cluster IPs and node ports from <paramref name="serviceAllocators"/>.</summary>
    public static IReadOnlyList<ResourceDefinition> Create(ServiceAllocators serviceAllocators) =>
    [
        Core("namespaces", "Namespace", typeof(V1Namespace), typeof(V1NamespaceList), new NamespaceStrategy(), new NamespaceTableConvertor(),
            namespaced: false, shortNames: ["ns"], subresources: ["status", "finalize"]),
        Core("pods", "Pod", typeof(V1Pod), typeof(V1PodList), new PodStrategy(), new PodTableConvertor(),
            shortNames: ["po"], categories: All, subresources: ["status", "binding", "eviction", "ephemeralcontainers", "log", "exec", "attach", "portforward", "proxy"]),
        Core("nodes", "Node", typeof(V1Node), typeof(V1NodeList), new NodeStrategy(), new NodeTableConvertor(),
            namespaced: false, shortNames: ["no"], subresources: ["status", "proxy"]) with { StorageResource = "minions" },
        Core("services", "Service", typeof(V1Service), typeof(V1ServiceList), new ServiceStrategy(serviceAllocators), new ServiceTableConvertor(),
            shortNames: ["svc"], categories: All, subresources: ["status", "proxy"]) with { StorageResource = "services/specs" },
        Core("endpoints", "Endpoints", typeof(V1Endpoints), typeof(V1EndpointsList), new EndpointsStrategy(), new EndpointsTableConvertor(),
            shortNames: ["ep"]) with { StorageResource = "services/endpoints", Singular = "endpoints" },
        Core("configmaps", "ConfigMap", typeof(V1ConfigMap), typeof(V1ConfigMapList), new ConfigMapStrategy(), new ConfigMapTableConvertor(),
            shortNames: ["cm"]),
        Core("secrets", "Secret", typeof(V1Secret), typeof(V1SecretList), new SecretStrategy(), new SecretTableConvertor()),
        Core("serviceaccounts", "ServiceAccount", typeof(V1ServiceAccount), typeof(V1ServiceAccountList), new ServiceAccountStrategy(),
            new ServiceAccountTableConvertor(), shortNames: ["sa"], subresources: ["token"]),
        Core("events", "Event", typeof(Corev1Event), typeof(Corev1EventList), new EventStrategy(), new EventTableConvertor(),
            shortNames: ["ev"]),
        Grouped("apps", "deployments", "Deployment", typeof(V1Deployment), typeof(V1DeploymentList), new DeploymentStrategy(),
            new DeploymentTableConvertor(), shortNames: ["deploy"], categories: All, subresources: ["status", "scale"]),
        Grouped("apps", "replicasets", "ReplicaSet", typeof(V1ReplicaSet), typeof(V1ReplicaSetList), new ReplicaSetStrategy(),
            new ReplicaSetTableConvertor(), shortNames: ["rs"], categories: All, subresources: ["status", "scale"]),
        Grouped("apps", "daemonsets", "DaemonSet", typeof(V1DaemonSet), typeof(V1DaemonSetList), new DaemonSetStrategy(),
            new DaemonSetTableConvertor(), shortNames: ["ds"], categories: All, subresources: ["status"]),
        Grouped("apps", "statefulsets", "StatefulSet", typeof(V1StatefulSet), typeof(V1StatefulSetList), new StatefulSetStrategy(),
            new StatefulSetTableConvertor(), shortNames: ["sts"], categories: All, subresources: ["status", "scale"]),
        Grouped("batch", "jobs", "Job", typeof(V1Job), typeof(V1JobList), new JobStrategy(), new JobTableConvertor(),
            categories: All, subresources: ["status"]),
        Grouped("batch", "cronjobs", "CronJob", typeof(V1CronJob), typeof(V1CronJobList), new CronJobStrategy(), new CronJobTableConvertor(),
            shortNames: ["cj"], categories: All, subresources: ["status"]),
        Grouped("coordination.k8s.io", "leases", "Lease", typeof(V1Lease), typeof(V1LeaseList), new LeaseStrategy(), new LeaseTableConvertor()),
        Grouped("discovery.k8s.io", "endpointslices", "EndpointSlice", typeof(V1EndpointSlice), typeof(V1EndpointSliceList),
            new EndpointSliceStrategy(), new EndpointSliceTableConvertor()),
        Grouped("events.k8s.io", "events", "Event", typeof(Eventsv1Event), typeof(Eventsv1EventList), new EventsEventStrategy(),
            new EventTableConvertor(), shortNames: ["ev"]) with { StorageResource = "events.k8s.io/events" },
        Grouped("scheduling.k8s.io", "priorityclasses", "PriorityClass", typeof(V1PriorityClass), typeof(V1PriorityClassList),
            new PriorityClassStrategy(), new PriorityClassTableConvertor(), namespaced: false, shortNames: ["pc"]),
    ];

    private static ResourceDefinition Core(
        string resource, string kind, Type model, Type list, IResourceStrategy strategy, ITableConvertor table,
        bool namespaced = true, string[]? shortNames = null, string[]? categories = null, string[]? subresources = null) =>
        Grouped("", resource, kind, model, list, strategy, table, namespaced, shortNames, categories, subresources);

    private static ResourceDefinition Grouped(
        string group, string resource, string kind, Type model, Type list, IResourceStrategy strategy, ITableConvertor table,
        bool namespaced = true, string[]? shortNames = null, string[]? categories = null, string[]? subresources = null) => new()
    {
        Group = group,
        Version = "v1",
        Resource = resource,
        Kind = kind,
        Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced,
        ModelType = model,
        ListType = list,
        Strategy = strategy,
        Table = table,
        ShortNames = shortNames ?? [],
        Categories = categories ?? [],
        Subresources = subresources ?? [],
    };
}
