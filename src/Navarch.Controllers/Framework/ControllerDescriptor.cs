namespace Navarch.Controllers.Framework;

/// <summary>
/// A controller the manager can run: its <c>--controllers</c> name and how to build it. <see cref="Create"/> returns
/// null when the configuration leaves the controller nothing to do, as kube-controller-manager's init functions
/// answer "not enabled" (root-ca-cert-publisher without a CA).
/// </summary>
public sealed record ControllerDescriptor(string Name, Func<ControllerContext, IController?> Create);
