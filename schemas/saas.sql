-- A multi-tenant SaaS app: every row belongs to a tenant; users and projects are keyed within
-- their tenant (composite keys, composite foreign keys), tasks can have a parent task, and the
-- audit log is partitioned by list of event kind. Written like pg_dump output.

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TYPE public.plan_tier AS ENUM (
    'free',
    'team',
    'enterprise'
);

CREATE TYPE public.task_state AS ENUM (
    'todo',
    'doing',
    'done'
);

CREATE DOMAIN public.percentage AS smallint NOT NULL
	CONSTRAINT percentage_check CHECK (((VALUE >= 0) AND (VALUE <= 100)));

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE public.tenants (
    id uuid NOT NULL,
    name character varying(80) NOT NULL,
    plan public.plan_tier NOT NULL,
    seats integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT tenants_seats_check CHECK ((seats > 0))
);

CREATE TABLE public.users (
    tenant_id uuid NOT NULL,
    user_no integer NOT NULL,
    email character varying(120) NOT NULL,
    full_name character varying(80) NOT NULL,
    role character varying(10) NOT NULL,
    is_active boolean NOT NULL,
    last_login_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);

CREATE TABLE public.projects (
    tenant_id uuid NOT NULL,
    project_no integer NOT NULL,
    owner_no integer NOT NULL,
    name character varying(60) NOT NULL,
    description text,
    starts_on date NOT NULL,
    ends_on date,
    budget numeric(12,2),
    CONSTRAINT projects_budget_check CHECK ((budget >= (0)::numeric))
);

CREATE TABLE public.tasks (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    project_no integer NOT NULL,
    parent_id bigint,
    title character varying(120) NOT NULL,
    state public.task_state NOT NULL,
    priority character varying(8) NOT NULL,
    progress public.percentage,
    due_date date,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT tasks_priority_check CHECK (((priority)::text = ANY ((ARRAY['low'::character varying, 'medium'::character varying, 'high'::character varying])::text[])))
);

CREATE SEQUENCE public.tasks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tasks_id_seq OWNED BY public.tasks.id;

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    kind character varying(10) NOT NULL,
    message text,
    created_at timestamp with time zone NOT NULL
)
PARTITION BY LIST (kind);

CREATE TABLE public.audit_log_auth (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    kind character varying(10) NOT NULL,
    message text,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.audit_log_data (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    kind character varying(10) NOT NULL,
    message text,
    created_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.audit_log ATTACH PARTITION public.audit_log_auth FOR VALUES IN ('login', 'logout');

ALTER TABLE ONLY public.audit_log ATTACH PARTITION public.audit_log_data FOR VALUES IN ('create', 'update', 'delete');

ALTER TABLE ONLY public.tasks ALTER COLUMN id SET DEFAULT nextval('public.tasks_id_seq'::regclass);

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (tenant_id, user_no);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_tenant_id_email_key UNIQUE (tenant_id, email);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (tenant_id, project_no);

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id, kind);

ALTER TABLE ONLY public.audit_log_auth
    ADD CONSTRAINT audit_log_auth_pkey PRIMARY KEY (id, kind);

ALTER TABLE ONLY public.audit_log_data
    ADD CONSTRAINT audit_log_data_pkey PRIMARY KEY (id, kind);

CREATE INDEX tasks_project ON public.tasks USING btree (tenant_id, project_no);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_owner_fkey FOREIGN KEY (tenant_id, owner_no) REFERENCES public.users(tenant_id, user_no);

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_project_fkey FOREIGN KEY (tenant_id, project_no) REFERENCES public.projects(tenant_id, project_no);

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.tasks(id);

ALTER TABLE public.audit_log
    ADD CONSTRAINT audit_log_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

CREATE TRIGGER tasks_touch BEFORE UPDATE ON public.tasks FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE VIEW public.open_tasks AS
 SELECT tasks.id, tasks.title FROM public.tasks WHERE (tasks.state <> 'done'::public.task_state);

CREATE RULE audit_log_no_delete AS ON DELETE TO public.audit_log DO INSTEAD NOTHING;

COMMENT ON TABLE public.tenants IS 'Customers of the SaaS';
