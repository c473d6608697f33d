namespace Navarch.Scheduler.Framework;

/// <summary>The outcome of one plugin call, with kube-scheduler's codes.</summary>
public enum StatusCode
{
    /// <summary>The plugin ran and the pod may go ahead.</summary>
    Success,

    /// <summary>An internal failure: the pod is retried with back-off, never reported as unschedulable.</summary>
    Error,

    /// <summary>The pod does not fit now; preemption may help.</summary>
    Unschedulable,

    /// <summary>The pod does not fit and preemption on this node cannot help (e.g. node selector mismatch).</summary>
    UnschedulableAndUnresolvable,

    /// <summary>A Permit plugin asks the binding cycle to wait.</summary>
    Wait,

    /// <summary>The plugin has nothing to do for this pod (its later calls are skipped; a binder passes on).</summary>
    Skip,

    /// <summary>The pod waits for something outside the scheduler (a PreEnqueue gate); it is not an error.</summary>
    Pending,
}
