namespace Navarch.Controllers.Framework;

/// <summary>A controller the manager can run: its <c>--controllers</c> name and how to build it.</summary>
public sealed record ControllerDescriptor(string Name, Func<ControllerContext, IController> Create);
