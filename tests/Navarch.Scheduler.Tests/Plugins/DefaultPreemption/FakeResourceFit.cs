using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Tests.Plugins.DefaultPreemption;

/// <summary>
/// A minimal resource filter (cpu, memory, pod count) with kube-scheduler's messages, standing in for
/// NodeResourcesFit in preemption tests.
/// </summary>
internal sealed class FakeResourceFit : IFilterPlugin
{
    public string Name => "FakeResourceFit";

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var requests = PodRequests.Compute(pod);
        var reasons = new List<string>();
        if (nodeInfo.Pods.Count + 1 > nodeInfo.Allocatable.AllowedPodNumber) reasons.Add("Too many pods");
        if (requests.MilliCpu > 0 && nodeInfo.Requested.MilliCpu + requests.MilliCpu > nodeInfo.Allocatable.MilliCpu) reasons.Add("Insufficient cpu");
        if (requests.Memory > 0 && nodeInfo.Requested.Memory + requests.Memory > nodeInfo.Allocatable.Memory) reasons.Add("Insufficient memory");
        return reasons.Count == 0 ? Status.Success : Status.Unschedulable([.. reasons]);
    }
}
