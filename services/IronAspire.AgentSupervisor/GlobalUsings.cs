global using IronAspire.AgentSupervisor;
global using IronAspire.AgentSupervisor.Agents;
global using IronAspire.AgentSupervisor.Alerts;
global using IronAspire.AgentSupervisor.Data;
global using IronAspire.AgentSupervisor.Live;
global using IronAspire.AgentSupervisor.Processes;
