using Navarch.Controllers.Framework;

namespace Navarch.Controllers;

/// <summary>Every controller Navarch's controller manager can run, in start order, as kube-controller-manager's list.</summary>
public static class ControllerRegistry
{
    public static IReadOnlyList<ControllerDescriptor> All { get; } =
    [
    ];
}
