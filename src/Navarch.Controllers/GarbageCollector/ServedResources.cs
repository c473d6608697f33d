using k8s;
using k8s.Models;
using Navarch.Client.Informers;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>
/// The resources Navarch serves that the garbage collector watches. Events are left out: they never own anything
/// and churn the most, so watching them would cost more than collecting them (their TTL removes them anyway).
/// </summary>
internal static class ServedResources
{
    public static List<MonitoredResource> Monitor(SharedInformerFactory informers) =>
    [
        Watch<V1Pod>(informers, namespaced: true),
        Watch<V1Service>(informers, namespaced: true),
        Watch<V1ConfigMap>(informers, namespaced: true),
        Watch<V1Secret>(informers, namespaced: true),
        Watch<V1ServiceAccount>(informers, namespaced: true),
        Watch<V1Endpoints>(informers, namespaced: true),
        Watch<V1ReplicaSet>(informers, namespaced: true),
        Watch<V1Deployment>(informers, namespaced: true),
        Watch<V1DaemonSet>(informers, namespaced: true),
        Watch<V1StatefulSet>(informers, namespaced: true),
        Watch<V1Job>(informers, namespaced: true),
        Watch<V1CronJob>(informers, namespaced: true),
        Watch<V1Lease>(informers, namespaced: true),
        Watch<V1EndpointSlice>(informers, namespaced: true),
        Watch<V1PriorityClass>(informers, namespaced: false),
        Watch<V1Namespace>(informers, namespaced: false),
        Watch<V1Node>(informers, namespaced: false),
    ];

    private static InformerMonitor<T> Watch<T>(SharedInformerFactory informers, bool namespaced)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(ApiResource.For<T>(namespaced), informers.For<T>());
}
