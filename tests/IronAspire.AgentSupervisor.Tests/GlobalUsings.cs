global using IronAspire.AgentSupervisor.Agents;
global using IronAspire.AgentSupervisor.Apis;
global using IronAspire.AgentSupervisor.Live;
global using IronAspire.AgentSupervisor.Processes;
global using IronAspire.Testing;

// The Supervisor signals Unix process groups; its tests run on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
