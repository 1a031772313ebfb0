-- The shared test warehouse: about ten rows a table, answers worked out by hand in the
-- tests. as_of = 2024-03-15 (the latest transaction). Edge cases: an empty month
-- (January 2024 has no contract), 29 February 2024 (K06; its 同比 date is 2023-02-28),
-- a zero base (no customer created in 2023 to 15 March), a void contract (K09), a
-- contract signed on as_of (K08), a deal that skipped a stage (O1), a rep with no
-- sales (R4), a pool customer (C6, no owner), a sub-team (T4 under T2 under T1).
-- Inserted into the build's staging tables; `_row` is numbered by the loader.

insert into teams (team_id, name, parent_team_id) values
    ('T1', '总部', null),
    ('T2', '华东区', 'T1'),
    ('T3', '华北区', 'T1'),
    ('T4', '上海组', 'T2');

insert into reps (rep_id, name, team_id, manager_rep_id, region, hired_on, active) values
    ('R1', '张伟', 'T2', null, '华东', '2020-01-01', true),
    ('R2', '李娜', 'T4', 'R1', '华东', '2021-05-01', true),
    ('R3', '王强', 'T3', null, '华北', '2019-03-01', true),
    ('R4', '赵敏', 'T3', 'R3', '华北', '2022-01-01', false);

insert into customers (customer_id, name, created_at, type, owner_rep_id, industry, region, city, source, level) values
    ('C1', '上海恒信贸易', '2022-05-01 09:00', 'customer', 'R1', '制造', '华东', '上海', '官网', 'A'),
    ('C2', '杭州远景科技', '2022-07-10 10:00', 'customer', 'R2', '科技', '华东', '杭州', '转介绍', 'B'),
    ('C3', '北京华泰实业', '2022-09-15 11:00', 'customer', 'R3', '制造', '华北', '北京', '展会', 'B'),
    ('C4', '苏州新材料', '2023-06-01 12:00', 'customer', 'R1', '化工', '华东', '苏州', '官网', 'C'),
    ('C5', '天津港务物流', '2023-12-01 08:00', 'agent', 'R3', '物流', '华北', '天津', '电话营销', 'C'),
    ('C6', '青岛海风食品', '2023-08-20 15:00', 'customer', null, '食品', '华北', '青岛', '展会', 'C'),
    ('C7', '南京蓝图设计', '2024-01-20 14:00', 'prospect', 'R2', '服务', '华东', '南京', '官网', null),
    ('C8', '石家庄冀中机械', '2024-03-10 16:00', 'prospect', 'R3', '制造', '华北', '石家庄', '转介绍', null);

insert into products (product_id, name, category, unit, list_price) values
    ('P1', '工业网关', '硬件', '台', 100),
    ('P2', '管理软件', '软件', '套', 500),
    ('P3', '实施服务', '服务', '人天', 200);

insert into stages (stage, position, default_probability, kind) values
    ('初步接洽', 1, 10, 'open'),
    ('需求确认', 2, 30, 'open'),
    ('方案报价', 3, 50, 'open'),
    ('赢单', 4, 100, 'won'),
    ('输单', 5, 0, 'lost');

insert into opportunities (opportunity_id, customer_id, rep_id, created_at, stage, amount, probability,
                           expected_close_on, closed_on, lost_reason, competitor) values
    ('O1', 'C1', 'R1', '2024-01-05 09:00', '方案报价', 1000, null, '2024-04-30', null, null, null),
    ('O2', 'C2', 'R2', '2024-02-01 09:00', '需求确认', 2000, 40, '2024-03-10', null, null, null),
    ('O3', 'C4', 'R1', '2024-01-10 09:00', '赢单', 1500, null, '2024-02-29', '2024-02-20', null, null),
    ('O4', 'C3', 'R3', '2024-02-01 09:00', '输单', 800, null, '2024-03-01', '2024-03-01', '价格', '竞品甲'),
    ('O5', 'C5', 'R3', '2023-01-01 09:00', '输单', 3000, null, '2023-06-30', '2023-06-01', '预算', '竞品乙');

insert into opportunity_stage_history (opportunity_id, stage, entered_at, exited_at) values
    ('O1', '初步接洽', '2024-01-05 09:00', '2024-02-01 09:00'),
    ('O1', '方案报价', '2024-02-01 09:00', null),
    ('O2', '初步接洽', '2024-02-01 09:00', '2024-02-15 09:00'),
    ('O2', '需求确认', '2024-02-15 09:00', null),
    ('O3', '初步接洽', '2024-01-10 09:00', '2024-01-20 09:00'),
    ('O3', '需求确认', '2024-01-20 09:00', '2024-02-05 09:00'),
    ('O3', '方案报价', '2024-02-05 09:00', '2024-02-20 09:00'),
    ('O3', '赢单', '2024-02-20 09:00', null),
    ('O4', '初步接洽', '2024-02-01 09:00', '2024-02-20 09:00'),
    ('O4', '需求确认', '2024-02-20 09:00', '2024-03-01 09:00'),
    ('O4', '输单', '2024-03-01 09:00', null),
    ('O5', '初步接洽', '2023-01-01 09:00', '2023-04-01 09:00'),
    ('O5', '需求确认', '2023-04-01 09:00', '2023-06-01 09:00'),
    ('O5', '输单', '2023-06-01 09:00', null);

insert into contracts (contract_id, customer_id, rep_id, signed_on, amount, status, opportunity_id, ends_on) values
    ('K01', 'C1', 'R1', '2023-01-10', 1000, 'active', null, null),
    ('K02', 'C2', 'R2', '2023-02-28', 500, 'active', null, null),
    ('K03', 'C1', 'R1', '2023-03-10', 2000, 'active', null, '2024-03-31'),
    ('K04', 'C3', 'R3', '2023-03-20', 300, 'active', null, null),
    ('K05', 'C2', 'R2', '2023-11-05', 800, 'active', null, null),
    ('K06', 'C4', 'R1', '2024-02-29', 1500, 'active', 'O3', null),
    ('K07', 'C1', 'R2', '2024-03-01', 700, 'active', null, null),
    ('K08', 'C5', 'R3', '2024-03-15', 400, 'active', null, null),
    ('K09', 'C3', 'R1', '2024-03-05', 9999, 'void', null, null),
    ('K10', 'C6', 'R3', '2024-02-10', 600, 'active', null, null);

insert into contract_items (contract_id, line_no, product_id, quantity, unit_price, amount) values
    ('K01', 1, 'P1', 10, 100, 1000),
    ('K02', 1, 'P2', 1, 500, 500),
    ('K03', 1, 'P2', 2, 500, 1000),
    ('K03', 2, 'P3', 5, 200, 1000),
    ('K04', 1, 'P1', 3, 100, 300),
    ('K05', 1, 'P1', 4, 100, 400),
    ('K05', 2, 'P3', 2, 200, 400),
    ('K06', 1, 'P1', 10, 100, 1000),
    ('K06', 2, 'P2', 1, 500, 500),
    ('K07', 1, 'P2', 1, 500, 500),
    ('K07', 2, 'P3', 1, 200, 200),
    ('K08', 1, 'P1', 5, 90, 450),
    ('K08', 2, 'P1', -1, 50, -50),
    ('K09', 1, 'P2', 20, 499.95, 9999),
    ('K10', 1, 'P3', 3, 200, 600);

insert into payment_plans (plan_id, contract_id, due_on, amount) values
    ('PL01', 'K01', '2023-02-01', 1000),
    ('PL02', 'K03', '2023-04-01', 1000),
    ('PL03', 'K03', '2023-06-01', 1000),
    ('PL04', 'K06', '2024-03-01', 1000),
    ('PL05', 'K06', '2024-04-01', 500),
    ('PL06', 'K07', '2024-03-15', 700),
    ('PL07', 'K02', '2023-03-01', 500);

insert into payments (payment_id, contract_id, paid_on, amount, plan_id, method) values
    ('PM01', 'K01', '2023-02-01', 1000, 'PL01', '转账'),
    ('PM02', 'K02', '2023-03-01', 200, 'PL07', '转账'),
    ('PM03', 'K03', '2023-04-01', 1000, 'PL02', '转账'),
    ('PM04', 'K06', '2024-03-01', 500, null, '承兑'),
    ('PM05', 'K07', '2024-03-10', 700, 'PL06', '转账');

insert into purchases (purchase_id, product_id, received_on, quantity, unit_cost) values
    ('PU1', 'P1', '2022-12-01', 20, 60),
    ('PU2', 'P1', '2023-10-01', 20, 70),
    ('PU3', 'P2', '2022-12-01', 10, 200);

insert into expenses (expense_id, rep_id, incurred_on, category, amount) values
    ('E1', 'R1', '2024-02-10', '差旅', 300),
    ('E2', 'R3', '2023-03-01', '招待', 150);

insert into activities (activity_id, customer_id, rep_id, occurred_at, kind) values
    ('A1', 'C1', 'R1', '2024-03-01 10:00', 'visit'),
    ('A2', 'C2', 'R2', '2024-02-20 11:00', 'call'),
    ('A3', 'C7', 'R2', '2024-01-25 15:00', 'message');

insert into pool_events (customer_id, occurred_at, event, rep_id) values
    ('C7', '2024-01-21 09:00', 'claim', 'R2'),
    ('C6', '2023-09-01 09:00', 'release', 'R3'),
    ('C8', '2024-03-11 09:00', 'claim', 'R3');

insert into targets (rep_id, month, measure, amount) values
    ('R1', '2024-02-01', 'contract_amount', 1200),
    ('R1', '2024-03-01', 'contract_amount', 1000),
    ('R2', '2024-03-01', 'contract_amount', 500),
    ('R3', '2024-03-01', 'payment_amount', 300);
