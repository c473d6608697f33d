namespace Navarch.Controllers.GarbageCollector;

/// <summary>How an ownerReference resolves, as Kubernetes' classifyReferences sorts them.</summary>
internal enum OwnerState
{
    /// <summary>The owner exists and is not deleting its dependents first.</summary>
    Solid,

    /// <summary>No object with the referenced UID exists.</summary>
    Dangling,

    /// <summary>The owner is being deleted in the foreground: it waits for its dependents to go.</summary>
    WaitingForDependentsDeletion,
}
