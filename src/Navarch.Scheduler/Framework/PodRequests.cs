using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// A pod's effective requests as kube-scheduler computes them: the sum over app containers (and restartable init
/// containers, i.e. sidecars), the max with each init container, plus the pod overhead.
/// </summary>
public static class PodRequests
{
    /// <summary>What a container with no cpu request counts for in scoring (kube-scheduler's DefaultMilliCPURequest).</summary>
    public const long DefaultMilliCpuRequest = 100;

    /// <summary>What a container with no memory request counts for in scoring (200 MiB, DefaultMemoryRequest).</summary>
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    /// <summary>The pod's requests; with <paramref name="nonZero"/>, cpu and memory that are unset count as the defaults.</summary>
    public static Resource Compute(V1Pod pod, bool nonZero = false)
    {
        var spec = pod.Spec;
        var result = new Resource();
        if (spec is null) return result;

        if (spec.Containers is not null)
        {
            foreach (var container in spec.Containers) result.Add(ContainerRequests(container, nonZero));
        }

        if (spec.InitContainers is not null)
        {
            // As resourcehelper.PodRequests: sidecars (restartable init containers) add to the app containers; a
            // regular init container runs alone beside the sidecars started before it, and the pod needs the
            // largest of those moments. The max is taken once at the end, so a sidecar declared after a large
            // init container is not stacked on top of it.
            var sidecars = new Resource();
            var initPeak = new Resource();
            foreach (var init in spec.InitContainers)
            {
                var requests = ContainerRequests(init, nonZero);
                if (init.RestartPolicy == "Always")
                {
                    result.Add(requests);
                    sidecars.Add(requests);
                    continue;
                }

                requests.Add(sidecars);
                initPeak.SetMax(requests);
            }

            result.SetMax(initPeak);
        }

        if (spec.Overhead is not null) result.AddList(spec.Overhead);
        return result;
    }

    private static Resource ContainerRequests(V1Container container, bool nonZero)
    {
        var requests = Resource.FromList(container.Resources?.Requests);
        if (nonZero)
        {
            if (container.Resources?.Requests is not { } list || !list.ContainsKey(Resource.Cpu))
            {
                requests.MilliCpu = DefaultMilliCpuRequest;
            }

            if (container.Resources?.Requests is not { } list2 || !list2.ContainsKey(Resource.MemoryName))
            {
                requests.Memory = DefaultMemoryRequest;
            }
        }

        return requests;
    }
}
